"""Whether an answer only says its question back.

The small model sometimes turns a question into a statement and stops where the answer should be:
"Dari satelit manakah, proses peralihan trafik ke Satelit Telkom-2 dilaksanakan mulai 16 Januari
2006?" -> "Proses peralihan trafik ke Satelit Telkom-2 dilaksanakan mulai 16 Januari 2006." Such
text answers nothing, so the engine asks again with another first word (``AnswerStream``).
"""

from __future__ import annotations

import re

from qa.checks.text import starts_sentence
from qa.lexical import tokenize
from qa.prompting import strip_citations
from qa.spelling import misspelling
from qa.vocabulary import ASKS_WHO

# A question word: only a question that asks for something can be answered by saying it back
# ("Apakah Putin datang?" -> "Putin datang." is a full answer).
_ASKS = re.compile(
    r"\b(?:siapa|kapan|mana|dimana|berapa|mengapa|kenapa|bagaimana"
    r"|who|whom|whose|what|when|where|which|why|how)",
    re.IGNORECASE,
)
_APA = re.compile(r"\bapa(?:kah)?\b", re.IGNORECASE)
# "Apakah X ...?" asks yes or no, unless it goes on "Apakah nama / yang / isi ...".
_YES_NO = re.compile(r"^\W*apakah\s+(?!(?:nama|yang|isi|arti|judul|jenis|saja)\b)", re.IGNORECASE)
# Copulas the stop word list keeps, in their stemmed form ("merupakan" -> "rupa").
_LINKS = frozenset(["rupa", "yaitu", "ialah"])
# Capitalised words in a row: a name ("Gunung Kerinci") is new even when each word is not.
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)+")


def _words(text: str) -> list[str]:
    """Case-folded words as written, hyphens and apostrophes kept ("Williams-Darling")."""
    return re.findall(r"[\w'’-]+", text.casefold())


def asks_for_something(question: str) -> bool:
    """Whether the question asks who, what, when, ... rather than yes or no."""
    if _ASKS.search(question):
        return True
    return bool(_APA.search(question)) and not _YES_NO.match(question)


def says_question_back(question: str, answer: str) -> bool:
    """Whether ``answer`` holds no word (but misspelt ones) and no name its question did not
    already hold."""
    text = strip_citations(answer)
    asked = set(tokenize(question))
    for token in tokenize(text):
        covered = token in asked or token in _LINKS
        if not covered and "-" in token:  # "hewan-hewan" for "hewan"
            covered = all(part in asked for part in token.split("-") if part)
        if not covered and token.isalpha():  # a slip of the pen is no new word
            covered = any(misspelling(token, word) for word in asked)
        if not covered:
            return False
    asked_words = _words(question)
    asked_text = " ".join(asked_words)

    def as_asked(word: str) -> str:
        return next((w for w in asked_words if w == word or misspelling(word, w)), word)

    return all(
        " ".join(as_asked(w) for w in run.casefold().split()) in asked_text
        for run in _CAPITALISED_RUN.findall(text)
    )


_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
# Where a sentence starts in an article: after its end, or inside an opening quote.
_SENTENCE_MARKS = (".", "!", "?", "“", '"', ":")


def names_no_one(question: str, answer: str, passages_text: str) -> bool:
    """Whether the answer to a *who* question names no one its question did not name.

    Asked "Siapa yang menyebut penggabungan negara-negara tersebut sebagai ancaman ...?", the
    small model wrote the quote back ("Penggabungan negara-negara tersebut merupakan ancaman
    ...") without who said it. A capitalised first word is a name only if the articles also
    write it capitalised inside a sentence.
    """
    if not ASKS_WHO.search(question):
        return False
    text = strip_citations(answer)
    asked = set(_words(question))
    for match in _CAPITALISED.finditer(text):
        word = match.group(0)
        if word.casefold() in asked or any(misspelling(word.casefold(), w) for w in asked):
            continue
        if not starts_sentence(text, match.start(), _SENTENCE_MARKS):
            return False
        if _written_as_name(word, passages_text):
            return False
    return True


def _written_as_name(word: str, text: str) -> bool:
    return any(
        not starts_sentence(text, m.start(), _SENTENCE_MARKS)
        for m in re.finditer(rf"\b{re.escape(word)}\b", text)
    )
