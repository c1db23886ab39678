"""Refusals for answers the passages do not ground: the question is about something they never
mention (a person, a title, a kind of thing), or the answer names what they never give."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa.checks.registry import INDONESIAN, AnswerContext, check
from qa.checks.shape import counted_nouns
from qa.checks.text import (
    AT_THE_END,
    name_groups,
    names_and_numbers,
    one_spelling,
    spelt_out_anywhere,
    text_of,
)
from qa.chunking import sentence_spans
from qa.lexical import STOPWORDS, tokenize
from qa.prompting import Passage, strip_citations, without_now
from qa.spelling import close_spelling, misspelling
from qa.vocabulary import GLOSSARY, SMALL_NUMBER_WORDS, TITLES

# Share of the question's names the passages must hold for them to be about the question.
_ON_TOPIC = 1 / 2

# A name at least this share of a corpus's chunks mention is where its news comes from.
_SETTING_SHARE = 0.05


def _by_initials(name: list[str], mentioned: Callable[[str], bool]) -> bool:
    """Whether a name of three or more capitalised words is mentioned by its initials ("Bursa
    Efek Surabaya" where the passages write only "BES"), or a short form of three or more
    capitals spelt out ("ITB" where they write "Institut Teknologi Bandung")."""
    if len(name) == 1 and len(name[0]) >= 3 and name[0].isupper():
        return mentioned(name[0])
    initials = "".join(w[0] for w in name if w[0].isupper())
    return len(initials) >= 3 and len(initials) == len(name) and mentioned(initials)


def _question_names_there(
    question: str,
    mentioned: Callable[[str], bool],
    corpus_share: Callable[[str], float] | None = None,
) -> list[bool]:
    """For each name of the question, whether the passages mention it. Whole names, not words,
    count: a long name ("Pekan Olahraga Provinsi Sumsel") weighs as much as a short one; a name
    is there when most of its words are, or its initials. Numbers say little about the subject.
    A question that names only the corpus's setting ("Indonesia", in 13% of facqa's Indonesian
    news, which rarely writes it out) names no subject: no name then decides whether passages
    are on-topic."""
    topic = [g for g in name_groups(question) if not g[0][0].isdigit()]
    if corpus_share is not None and all(
        corpus_share(w) >= _SETTING_SHARE for g in topic for w in g
    ):
        return []
    return [
        sum(mentioned(w.casefold()) for w in g) >= _ON_TOPIC * len(g) or _by_initials(g, mentioned)
        for g in topic
    ]


# A question with at least this many words besides its names, all in one passage sentence,
# is what that sentence is about; from _LOOSELY_STATED_WORDS on, all but one will do (the
# question words one thing otherwise: "perusahaan" for the passage's "produsen").
_MIN_STATED_WORDS = 4

_LOOSELY_STATED_WORDS = 5

# Words that say what form the answer takes ("Apa nama kantor berita …?"), not what it is about.
_ASKED_AS = frozenset(["nama", "name"])


def _question_words(question: str) -> set[str]:
    """The question's words besides its names and the words that say what form it asks for."""
    names = set(tokenize(" ".join(names_and_numbers(question))))
    return set(tokenize(question)) - names - _ASKED_AS


def _states_the_question(question: str, passages: Sequence[Passage]) -> bool:
    """Whether one passage sentence holds every word of the question but its names (all but
    one of five or more): then the passage is about the question even when it names its subject
    otherwise ("Tanah Air" for "Indonesia", "Rabu (24/8)" for "24 Agustus", "OFP" spelt out) or
    not at all (facqa's excerpts). Measured on facqa: true for right answers the name check
    refused, for none of the unanswerable probe's questions (bench/QUALITY.md rows 26, 40)."""
    words = _question_words(question)
    if len(words) < _MIN_STATED_WORDS:
        return False
    # A hyphenated word is one word, though its parts are tokens too ("undang-undang").
    parts = {part for w in words if "-" in w for part in w.split("-")}
    allowed = 1 if len(words - parts) >= _LOOSELY_STATED_WORDS else 0
    return any(
        len(words - set(tokenize(p.text[span.start : span.end]))) <= allowed
        for p in passages
        for span in sentence_spans(p.text)
    )


def _mention_test(passages: Sequence[Passage], fuzzy: bool) -> Callable[[str], bool]:
    """Whether the passages mention a (case-folded) word, in any of its spellings; ``fuzzy``
    also accepts near spellings. An upper-case key is a short form, found as written or spelt
    out ("ITB" as "Institut Teknologi Bandung"); a hyphenated one ("Indonesia-Papua") is
    mentioned when each of its names is."""
    text = text_of(passages)
    context = text.casefold()
    respelt = one_spelling(context)
    # Near spellings are matched against the passages' names only: "White" is not "while".
    words = {w.casefold() for w in re.findall(r"\b[A-Z]\w*", text)} if fuzzy else set()

    def mentioned(key: str) -> bool:
        if key.isupper():
            return re.search(rf"\b{re.escape(key)}\b|{spelt_out_anywhere(key)}", text) is not None
        if "-" in key.strip("-") and not key[0].isdigit():  # "Indonesia-Papua": each name
            return all(mentioned(part) for part in key.split("-") if part)
        return (
            key in context
            or one_spelling(key) in respelt
            or (fuzzy and not key[0].isdigit() and any(close_spelling(key, w) for w in words))
        )

    return mentioned


def asks_about_unmentioned(
    question: str,
    passages: Sequence[Passage],
    *,
    fuzzy: bool = False,
    corpus_share: Callable[[str], float] | None = None,
) -> bool:
    """Whether the question names things and the passages mention none of them ("Siapa yang
    memenangkan Piala Dunia FIFA 2022?" over an article on Putin's visit): then whatever the
    model answers comes from elsewhere, so no answer can be grounded. ``corpus_share`` tells
    how much of the corpus mentions a word, to recognise names of its setting."""
    there = _question_names_there(question, _mention_test(passages, fuzzy), corpus_share)
    return bool(there) and not any(there) and not _states_the_question(question, passages)


# The answer's sentence must hold more than half of the question's other words, of at least:
_MIN_ANSWERED_WORDS = 3

# The one question word the tokenizer keeps ("manakah", "kemana"): it says nothing of the matter.
_ASKING_WORDS = frozenset(["mana"])

_NUMBER_WORDS = SMALL_NUMBER_WORDS["id"]


def _as_written_either_way(number: str) -> str:
    """A pattern for a number in digits or, when small, in words ("9" or "sembilan")."""
    if number.isdigit() and int(number) < len(_NUMBER_WORDS):
        return f"{re.escape(number)}|{_NUMBER_WORDS[int(number)]}"
    return re.escape(number)


def answered_where_asked(answer: str, question: str, passages: Sequence[Passage]) -> bool:
    """Whether one passage sentence holds every name and number the answer adds to the question,
    the question's own numbers, and more than half of its other words (three or more). Then the
    answer was read where the question's matter is, though the passages never write the
    question's names: facqa's excerpts leave them out ("Film yang skenarionya ditulis Ah Cheng
    ini …" for "siapa nama penulis skenario film Brokeback Mountain"), and
    ``asks_about_unmentioned`` alone refused such right answers. A date or count the question
    gives pins its event: without it the sentence tells of another ("Shenzhou" for a launch "12
    Agustus 2005 dari Cape Canaveral"). Measured on facqa and two unanswerable probes
    (bench/QUALITY.md row 45)."""
    question_names = names_and_numbers(question)
    asked = {name.casefold() for name in question_names}
    added = [name for name in names_and_numbers(answer) if name.casefold() not in asked]
    words = _question_words(question) - _ASKING_WORDS
    if not added or len(words) < _MIN_ANSWERED_WORDS:
        return False
    numbers = [_as_written_either_way(n) for n in question_names if n[0].isdigit()]
    patterns = [
        re.compile(rf"(?<!\w)(?:{name})(?!\w)", re.IGNORECASE)
        for name in [*map(re.escape, added), *numbers]
    ]
    sentences = (p.text[span.start : span.end] for p in passages for span in sentence_spans(p.text))
    return any(
        all(pattern.search(sentence) for pattern in patterns)
        and 2 * len(words & set(tokenize(sentence))) > len(words)
        for sentence in sentences
    )


# "Siapa (nama) menteri …?": the question asks for whoever holds an office. Honorifics and
# degrees ("Siapa Profesor …", "Siapa sang juara?") stand before names, not for an office.
_OFFICES = TITLES - {
    "h", "hj", "pak", "bu", "bapak", "ibu", "tuan", "nyonya", "sang", "saudara", "dr", "ir",
    "drs", "prof", "profesor", "sir", "mr", "mrs", "ms", "saint", "st",
}  # fmt: skip

_ASKS_HOLDER = re.compile(r"^\W*siapa(?:kah)?\s+(?:nama\s+)?(\w+)", re.IGNORECASE)

# "Who is the Russian foreign minister …?", "What is the name of the governor …?": the office
# is among the first words after "the".
_ASKS_HOLDER_EN = re.compile(
    r"^\W*(?:who\s+(?:is|was|are|were)|what\s+(?:is|was)\s+the\s+name\s+of)\s+the\s+"
    r"((?:[\w-]+\s+){0,3}[\w-]+)",
    re.IGNORECASE,
)

# Short forms Indonesian news writes titles in ("Menlu Rusia", "Wapres"): the title is mentioned.
_TITLE_SHORT_FORMS = {
    "menteri": r"men(?:lu|keu|dagri|ko\w*|han|pora|tan|kes|diknas|hut|ag|aker\w*|ristek|kominfo"
    r"|hub|perin|dag|neg\w*|pan|sos|pu|budpar|kumham|pera|lh)",
    "presiden": r"(?:wa|ca)pres",
    "wakil": r"wa(?:pres|gub|bup)\w*",
    "kepala": r"ka(?:pol\w*|sad|sal|sau|bareskrim|dis\w*|nwil\w*)",
    "gubernur": r"(?:wa)?gub\w*",
}


def asks_for_unmentioned_title(
    question: str, passages: Sequence[Passage], language: str = "id"
) -> bool:
    """Whether a *who* question asks for the holder of a title no passage mentions ("Siapa nama
    menteri luar negeri Rusia …?" over an article quoting professors): whoever the model names
    holds another role. Only for passages in the question's ``language``: an English title
    ("Director General") is written otherwise in Indonesian passages. Replayed over every
    recorded answer of facqa samples A–E, the seed and dev sets, it fires on no right answer
    (bench/QUALITY.md row 34)."""
    if language == "en":
        m = _ASKS_HOLDER_EN.match(question)
        words = m.group(1).casefold().split() if m else []
        title = next((w for w in words if w in _OFFICES), "")
    else:
        m = _ASKS_HOLDER.match(question)
        title = m.group(1).casefold() if m else ""
    if title not in _OFFICES:
        return False
    short = _TITLE_SHORT_FORMS.get(title)
    pattern = rf"\b(?:{re.escape(title)}" + (rf"|{short}\b" if short else "") + ")"
    return not re.search(pattern, text_of(passages), re.IGNORECASE)


# "Apa nama perjanjian …?", "What is the official name of the treaty …?": the kind of thing
# whose name is asked for (the first word after "nama", a lower-case one after "name of"). Not
# "Siapa nama penulis …?": a person's role is told in other words ("skenarionya ditulis Ah
# Cheng"), and offices have their own check (``asks_for_unmentioned_title``).
_ASKS_NAME_OF_KIND = {
    "id": re.compile(
        r"^\W*(?:apa|apakah)\s+nama\s+(?:resmi\s+|lengkap\s+)?(\w+)",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"^\W*(?i:what)\s+(?i:is|was|are|were)\s+(?i:the)\s+(?:[a-z]+\s+)?names?\s+of\s+"
        r"(?:the\s+|a\s+|an\s+)?(?:[A-Z][\w-]*\s+)*([a-z]+)\b"
    ),
}

# "Apa isi pidato …?", "What is the content of the joint communique …?": the content of a text
# (a speech, a treaty, a clause). Only texts of these kinds: a call or a warning is told in other
# words ("Apa isi seruan Easley?" is answered by "Mereka harus segera menerapkan sanksi").
_ASKS_CONTENT_OF = {
    "id": re.compile(r"^\W*(?:apa|apakah)\s+(?:isi|bunyi|judul)\s+((?:\w+\s+){0,2}\w+)", re.I),
    "en": re.compile(
        r"^\W*what\s+(?:is|was|are|were)\s+the\s+(?:contents?|wording|text|title)\s+of\s+"
        r"((?:\S+\s+){0,3}\S+)",
        re.I,
    ),
}

_TEXTS = {
    "id": frozenset([
        "pidato", "sambutan", "komunike", "deklarasi", "perjanjian", "pakta", "traktat",
        "kesepakatan", "pasal", "ayat", "piagam", "memorandum", "nota", "kontrak", "resolusi",
        "surat", "dokumen", "laporan", "undang-undang", "peraturan", "keputusan", "amanat",
    ]),
    "en": frozenset([
        "speech", "address", "communique", "declaration", "treaty", "pact", "agreement",
        "clause", "charter", "memorandum", "contract", "resolution", "letter", "document",
        "report", "law", "decree",
    ]),
}  # fmt: skip


def _kinds_asked(question: str, language: str) -> list[str]:
    """The kind of thing whose name is asked for, the kind of text whose content is, or the
    words of what an Indonesian count is of ("Berapa banyak pesawat tempur …?")."""
    asked = without_now(question)
    if (pattern := _ASKS_NAME_OF_KIND.get(language)) and (match := pattern.match(asked)):
        return [match.group(1).casefold()]
    if (pattern := _ASKS_CONTENT_OF.get(language)) and (match := pattern.match(asked)):
        words = re.findall(r"[\w-]+", match.group(1).casefold())
        return [w for w in words if w in _TEXTS[language]][:1]
    if language == "id":
        return counted_nouns(asked)
    return []


def asks_for_kind_never_mentioned(
    question: str, language: str, passages: Sequence[Passage]
) -> bool:
    """Whether the question asks for the name of a kind of thing (a treaty, an airport) that the
    whole corpus never mentions: then whatever the model names is something else nearby (over
    the seed article it named the cosmodrome as Putin's airport and "special military operation"
    as the treaty), or for the content of a kind of text it never mentions (asked what Kim's
    welcome speech said, it told Putin's article), or how many there are of a kind it never
    mentions (asked how many fighter jets Putin promised, it counted three: seed k07; any word
    of what is counted mentioned will do, "kapal perang" by "perang"). Word forms, not stems
    ("perjanjian", treaty, shares its stem with "menjanjikan", to promise); so only over the
    whole corpus, where a missing word is missing from the articles, not from a retrieved
    excerpt (bench/QUALITY.md rows 48, 53, 61)."""
    kinds = [k for k in _kinds_asked(question, language) if k not in STOPWORDS and len(k) >= 3]
    if not kinds:
        return False
    text = text_of(passages)
    return not any(_kind_mentioned(kind, language, text) for kind in kinds)


def _kind_mentioned(kind: str, language: str, text: str) -> bool:
    if language == "en":  # "treaty", "treaties", "courts"
        forms = rf"{re.escape(kind)}(?:s|es)?|{re.escape(kind[:-1])}ies"
    else:  # "jurnal", "jurnalnya", "jurnal-jurnal"
        forms = rf"{re.escape(kind)}(?:nya|lah)?"
    if re.search(rf"(?<!\w)(?:{forms})(?!\w)", text, re.IGNORECASE):
        return True
    if language == "en":  # the English reading's "Cosmodrom", the article's "Lapangan" (square)
        words = set(re.findall(r"\w+", text.casefold()))
        return any(misspelling(kind, w) or kind in GLOSSARY.get(w, ()) for w in words)
    return False


def unsupported_names(
    answer: str,
    passages: Sequence[Passage],
    *,
    fuzzy: bool = False,
    question: str = "",
    corpus_share: Callable[[str], float] | None = None,
) -> tuple[list[str], list[str]]:
    """(supported, unsupported) names and numbers of the answer. A name no passage mentions is
    the mark of an answer from outside knowledge. Names the question gave are just repeated and
    count as neither, as long as the passages are about the question (they hold most of its
    names or state it, or name none of them but give the answer where they say what it asks);
    otherwise repeating them is no support ("Who won the FIFA World Cup?"). Naming some of the
    question's names but not the one repeated, they are about something else: probe f1384
    asked for the WTO meeting in Cancun over passages on the one in Hong Kong.
    ``fuzzy`` accepts near spellings, for answers in English about Indonesian text ("Russia" for
    "Rusia", "Hague" for "Haag")."""
    mentioned = _mention_test(passages, fuzzy)
    asked = [n.casefold() for n in names_and_numbers(question)]
    there = _question_names_there(question, mentioned, corpus_share)
    on_topic = (
        sum(there) >= _ON_TOPIC * len(there)
        or _states_the_question(question, passages)
        or (not any(there) and answered_where_asked(answer, question, passages))
    )
    supported, unsupported = [], []
    for name in names_and_numbers(answer):
        key = name.casefold()
        if on_topic and key in asked:
            continue
        (supported if mentioned(key) else unsupported).append(name)
    return supported, unsupported


_ASIDE = re.compile(r"\s*\(([^()]*)\)")

# A name put after the answer's last name with a comma, at its very end ("di Athena, Jawa Barat.").
_TRAILING_APPOSITION = re.compile(
    rf"(?<=[\w)]),\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)(?={AT_THE_END})"
)


def without_unsupported_asides(answer: str, passages: Sequence[Passage], question: str) -> str:
    """Drop a bracketed aside, or a name put after the last one with a comma, that names what no
    passage mentions ("KRC (Konservasi Reptil dan Kebun) didirikan …": the model's guess at an
    acronym; "di Athena, Jawa Barat": its guess at a place), when what remains is grounded and
    says something the question did not (in the passages' words); otherwise the answer is left
    for grounding to judge whole."""

    def unsupported(m: re.Match[str]) -> bool:
        return bool(unsupported_names(f"- {m.group(1)}", passages, question=question)[1])

    kept = answer
    for m in reversed(list(_ASIDE.finditer(answer))):
        if unsupported(m):
            kept = kept[: m.start()] + kept[m.end() :]
    # Names put after the last one are peeled from the end while no passage mentions them
    # ("di Bukittinggi, Kecamatan Kuningan, Kota Jakarta.").
    while (m := _TRAILING_APPOSITION.search(kept)) and unsupported(m):
        kept = kept[: m.start()] + kept[m.end() :]
    if kept == answer or unsupported_names(kept, passages, question=question)[1]:
        return answer
    text = text_of(passages)
    context = set(tokenize(text))
    new = set(tokenize(strip_citations(kept))) - set(tokenize(question))
    # A name counts too: "AS" (Amerika Serikat) is a stop word to the tokenizer ("as").
    new_names = set(names_and_numbers(strip_citations(kept))) - set(names_and_numbers(question))
    named = any(re.search(rf"(?<![\w'’-]){re.escape(n)}(?![\w'’-])", text) for n in new_names)
    return kept if new & context or named else answer


# ---------------------------------------------------------------- the checks


@check("rewrite.asides", "rewrite", INDONESIAN)
def asides(ctx: AnswerContext, text: str) -> str:
    """Drop an aside or trailing apposition that names what the passages do not give."""
    return without_unsupported_asides(text, ctx.read, ctx.question)


@check("refuse.unmentioned-topic", "refuse")
def unmentioned_topic(ctx: AnswerContext, text: str) -> str | None:
    """Refuse when the question is about something the passages never mention (and the answer
    does not come from where the question's words are)."""
    seen = ctx.everything_read
    fuzzy = ctx.language == "en"
    if asks_about_unmentioned(
        ctx.question, seen, fuzzy=fuzzy, corpus_share=ctx.corpus_share
    ) and not answered_where_asked(text, ctx.question, seen):
        return "the question is about something the passages never mention"
    return None


@check("refuse.unmentioned-title", "refuse")
def unmentioned_title(ctx: AnswerContext, text: str) -> str | None:
    """Refuse a *who* question about the holder of a title no passage mentions: whoever is
    named holds another role."""
    own_words = ctx.language == "id" or ctx.articles_language == "en"
    if own_words and asks_for_unmentioned_title(ctx.question, ctx.everything_read, ctx.language):
        return "the passages never mention the title the question asks about"
    return None


@check("refuse.kind-never-mentioned", "refuse")
def kind_never_mentioned(ctx: AnswerContext, text: str) -> str | None:
    """Refuse a question for the name of a kind of thing (a song, a film) no article mentions:
    what is named is of another kind. Only when the passages are every article."""
    if ctx.whole_corpus and asks_for_kind_never_mentioned(
        ctx.question, ctx.language, ctx.everything_read
    ):
        return "no article mentions the kind of thing the question asks for"
    return None


@check("refuse.unsupported-names", "refuse")
def unsupported(ctx: AnswerContext, text: str) -> str | None:
    """Refuse an answer built on names or numbers the passages never give (in English, most of
    them: English answers name things the Indonesian articles spell otherwise)."""
    supported, missing = unsupported_names(
        text,
        ctx.everything_read,
        fuzzy=ctx.language == "en",
        question=ctx.question,
        corpus_share=ctx.corpus_share,
    )
    ungrounded = len(missing) > len(supported) if ctx.language == "en" else bool(missing)
    return f"the passages do not give {', '.join(missing)}" if ungrounded else None
