"""An English reading of Indonesian passages, for English questions.

The small local model reads English far better than Indonesian: asked in English about the
Indonesian article it answered 8 of 21 seed-set questions, and 13 of 21 with an English
translation in its context (bench/QUALITY.md). So, when the whole corpus sits in the cached
prompt, each Indonesian sentence is translated once (at index time, by the same model) and English
questions get a second cached prefix made of the translations, with the same passage numbers.

Translation is sentence by sentence so every English sentence maps back to the exact sentence of
the article it renders: quotes and offsets shown to the user always come from the original text.
Translations are kept in a JSON file keyed by model and sentence hash, so adding an article only
translates the new sentences.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.atomic import remove_stale_temps, write_atomic
from qa.chunking import sentence_spans
from qa.generation import Generator
from qa.language import question_language
from qa.lexical import is_indonesian_word
from qa.progress import Progress
from qa.prompting import CITATION, Passage, chat_markup, strip_citations
from qa.spelling import close_spelling
from qa.vocabulary import GLOSSARY

TRANSLATE_RULES = (
    "You translate Indonesian news text into English. Output only the translation of the "
    "user's text, faithfully, keeping every name and number."
)
# Part of every cache key: a change in how sentences are translated translates them again.
TRANSLATION_METHOD = "2"
# A translation much longer than its sentence is the model rambling, not translating.
_MAX_GROWTH = 3.0

# Words a translation must render, not keep: kept as they are, they leave the sentence half in
# the other language ("Korea Utara" in an English question, "North Korea" in an Indonesian answer).
_DIRECTIONS_AND_DAYS = [
    "utara", "selatan", "timur", "barat", "tengah", "jauh",
    "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu",
    "januari", "februari", "maret", "mei", "juni", "juli", "agustus", "oktober", "desember",
]  # fmt: skip


def _inverted(glossary: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    by_english: dict[str, list[str]] = {}
    for indonesian, englishes in glossary.items():
        for word in {w for e in englishes for w in e.split()} - {"the"}:
            by_english.setdefault(word, []).append(indonesian)
    return {word: tuple(words) for word, words in by_english.items()}


# The glossary read the other way, for English put back into Indonesian ("North" is "Utara").
TO_INDONESIAN = _inverted(GLOSSARY)
_MUST_TRANSLATE = frozenset(
    [*_DIRECTIONS_AND_DAYS, *(e for w in _DIRECTIONS_AND_DAYS for e in GLOSSARY[w])]
) - {"week", "middle"}
_TERM = re.compile(r"(?<![\w.,])(?:[A-Z][\w'’-]*|\d[\d.,]*\d|\d)")


def _without_possessive(word: str) -> str:
    """The name an English possessive carries: "Russia's" -> "Russia"."""
    return re.sub(r"['’]s$", "", word)


@dataclass(frozen=True)
class Segment:
    """One sentence of a passage: its article offsets and the English the model reads."""

    start: int
    end: int
    english: str


@dataclass(frozen=True)
class Reading:
    """A passage as the model reads it in English; ``passage`` stays the citable original."""

    passage: Passage
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return " ".join(s.english for s in self.segments)

    def as_passage(self) -> Passage:
        """The English text as a passage with offsets local to it (``start == 0``)."""
        p = self.passage
        return Passage(p.n, p.doc, p.title, 0, len(self.text), self.text, p.score)

    def to_article(self, start: int, end: int) -> tuple[int, int]:
        """The article offsets of the original sentences behind ``text[start:end]``."""
        pos, hits = 0, []
        for s in self.segments:
            if pos < end and start < pos + len(s.english):
                hits.append(s)
            pos += len(s.english) + 1
        if not hits:
            return self.passage.start, self.passage.end
        return hits[0].start, hits[-1].end


def needs_translation(texts: Iterable[str]) -> bool:
    """Whether any text is Indonesian (an English corpus needs no English reading)."""
    return any(question_language(text) == "id" for text in texts)


class TranslationCache:
    """Sentence translations on disk, as JSON keyed by sha256(model identity, sentence)."""

    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self._model = model
        self._entries: dict[str, str] | None = None
        self._dirty = False

    def _key(self, sentence: str) -> str:
        return hashlib.sha256(
            f"{self._model}\0{TRANSLATION_METHOD}\0{sentence}".encode()
        ).hexdigest()[:32]

    @property
    def entries(self) -> dict[str, str]:
        if self._entries is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._entries = {str(k): str(v) for k, v in data.get("entries", {}).items()}
            except (OSError, ValueError, AttributeError):
                self._entries = {}  # missing or damaged: translate again
        return self._entries

    def get(self, sentence: str) -> str | None:
        return self.entries.get(self._key(sentence))

    def put(self, sentence: str, english: str) -> None:
        self.entries[self._key(sentence)] = english
        self._dirty = True

    def save(self) -> None:
        """Write atomically (a temp file, then rename): a crash never leaves half a file."""
        if not self._dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temps(self.path.parent)
            write_atomic(self.path, json.dumps({"entries": self.entries}, ensure_ascii=False))
            self._dirty = False
        except OSError:
            pass  # a read-only cache: translations are just not kept


def _terms(sentence: str, first_word: Callable[[str], bool] | None = None) -> list[str]:
    """Names and numbers after the first word (a capital at the start says nothing), and the
    first word too when ``first_word`` says it is a name ("Kosmodrom apa ...?" names the
    cosmodrome, "Kerja sama di bidang apa ...?" names nothing)."""
    first = re.search(r"\w", sentence)
    opening = first.start() if first else 0
    return [
        m.group(0)
        for m in _TERM.finditer(sentence)
        if m.start() > opening or (first_word is not None and first_word(m.group(0)))
    ]


def lost_terms(
    sentence: str,
    english: str,
    glossary: dict[str, tuple[str, ...]] = GLOSSARY,
    *,
    strict: bool = False,
    first_word: Callable[[str], bool] | None = None,
) -> list[str]:
    """The names and numbers of ``sentence`` that its rendering ``english`` does not carry
    (``glossary`` gives the other language's spellings: ``TO_INDONESIAN`` for the way back).

    ``strict`` wants directions, weekdays and months in the other language's spelling: a
    question read in English as "what is Korea Utara organizing" is read half in Indonesian.
    ``first_word`` says whether the sentence's first word is a name to carry too."""
    folded = english.casefold()
    words = set(re.findall(r"[\w.]+", folded))
    lost = []
    for term in _terms(sentence, first_word):
        key = _without_possessive(term.casefold()) if strict else term.casefold()
        forms = glossary.get(key, ())
        if key[0].isdigit():
            found = key.replace(".", "").replace(",", "") in re.sub(r"[.,]", "", folded)
        elif strict and forms and key in _MUST_TRANSLATE:
            found = any(re.search(rf"\b{re.escape(g)}\b", folded) for g in forms)
        else:
            found = (
                key in folded
                or any(re.search(rf"\b{re.escape(g)}\b", folded) for g in forms)
                or any(close_spelling(key, w) for w in words)
            )
        if not found:
            lost.append(term)
    return lost


def _rewrite(generator: Generator, rules: str, text: str) -> str | None:
    """The model's rendering of ``text`` under ``rules`` (whitespace normalised), or None when
    it gives nothing or rambles."""
    limit = max(16, generator.count_tokens(text) * 2)
    prompt = chat_markup("system", rules) + chat_markup("user", text) + "<|im_start|>assistant\n"
    output = " ".join("".join(generator.stream(prompt, limit)).split())
    if not output or len(output) > _MAX_GROWTH * len(text) + 20:
        return None
    return output


# Where a sentence may be cut when it is too long for the model to carry every name across:
# after a comma, a closing quote or a semicolon.
_CLAUSE_END = re.compile(r"(?<=[,;”])\s+")


def _translate(generator: Generator, sentence: str) -> str:
    """The English of one sentence, halved at a clause boundary, recursively, when no faithful
    translation of the whole comes out; a part that stays unfaithful stays Indonesian.

    The 1.5B model drops a name from long sentences ("Universitas Kokushikan") that it keeps
    when it translates the clause that holds it."""
    english = _translate_whole(generator, sentence)
    if english != sentence:
        return english
    cuts = [m.end() for m in _CLAUSE_END.finditer(sentence)]
    if not cuts:
        return sentence
    middle = min(cuts, key=lambda cut: abs(cut - len(sentence) / 2))
    head, tail = sentence[:middle].rstrip(), sentence[middle:]
    return f"{_translate(generator, head)} {_translate(generator, tail)}"


def _translate_whole(generator: Generator, sentence: str) -> str:
    """The English of one sentence, or the sentence itself when no faithful one comes out."""
    return _faithful(generator, TRANSLATE_RULES, sentence) or sentence


def _faithful(
    generator: Generator,
    rules: str,
    text: str,
    glossary: dict[str, tuple[str, ...]] = GLOSSARY,
    language: str | None = None,
    *,
    strict: bool = False,
    first_word: Callable[[str], bool] | None = None,
    untranslated: Callable[[str], list[str]] = lambda _rendering: [],
) -> str | None:
    """The model's rendering of ``text`` that carries each of its names and numbers (and is in
    ``language``, when given, with no word left ``untranslated``), or None when two tries give
    none: the second spells out what the first lost or left untranslated (asked the same way,
    the model would write the same)."""
    asked = rules
    for _attempt in range(2):
        rendering = _rewrite(generator, asked, text)
        if rendering is None:
            return None
        lost = lost_terms(text, rendering, glossary, strict=strict, first_word=first_word)
        left = untranslated(rendering)
        if not lost and not left and (language is None or question_language(rendering) == language):
            return rendering
        spelled = [
            f"{t} = {glossary[t.casefold()][0]}" if t.casefold() in glossary else t for t in lost
        ]
        hints = [f"Keep these exactly: {'; '.join(spelled)}."] if spelled else []
        if left:
            hints.append(f"Translate these words too: {', '.join(left)}.")
        if not hints:
            return None
        asked = " ".join([rules, *hints])
    return None


QUESTION_RULES = (
    "Translate the user's English question into Indonesian. Do not answer it. Output only the "
    "Indonesian question, keeping every name and number."
)


def question_in_indonesian(generator: Generator, question: str) -> str | None:
    """An English question in Indonesian, to search Indonesian articles with (lexical matching
    needs the articles' own words); ``None`` when the model gives no usable translation."""
    return _rewrite(generator, QUESTION_RULES, question)


def read_in_english(
    passages: Sequence[Passage],
    generator: Generator,
    cache: TranslationCache,
    *,
    translate: bool = True,
    progress: Progress | None = None,
) -> list[Reading] | None:
    """English readings of the passages; ``None`` when a sentence lacks a translation and
    ``translate`` is False (answering never waits a minute for translations: ``qa index`` makes
    them)."""
    todo: list[str] = []
    plan: list[list[tuple[int, int, str]]] = []
    for p in passages:
        spans = []
        for span in sentence_spans(p.text):
            sentence = p.text[span.start : span.end]
            spans.append((p.start + span.start, p.start + span.end, sentence))
            if question_language(sentence) == "id" and cache.get(sentence) is None:
                todo.append(sentence)
        plan.append(spans)
    todo = list(dict.fromkeys(todo))
    if todo and not translate:
        return None
    try:
        for done, sentence in enumerate(todo, 1):
            cache.put(sentence, _translate(generator, sentence))
            if progress is not None:
                progress(done, len(todo))
            if done % 25 == 0:
                cache.save()  # keep what is done if indexing is interrupted
    finally:
        cache.save()
    return [
        Reading(
            p,
            tuple(
                Segment(start, end, cache.get(sentence) or sentence)
                for start, end, sentence in spans
            ),
        )
        for p, spans in zip(passages, plan, strict=True)
    ]


TO_ENGLISH_RULES = (
    "Translate the user's Indonesian question into English. Do not answer it. Output only the "
    "English question, keeping every name and number."
)
TO_INDONESIAN_RULES = (
    "Translate the user's English text into Indonesian. Output only the Indonesian "
    "translation, faithfully, keeping every name and number."
)


def question_in_english(generator: Generator, question: str) -> str | None:
    """An Indonesian question in English, for English articles: the small model answers an
    Indonesian question over English text right half as often as the same question put into
    English first (bench/QUALITY.md, rows 58c and 58e). None when the translation loses a name
    or number, or is not English."""
    return _faithful(
        generator,
        TO_ENGLISH_RULES,
        question,
        language="en",
        strict=True,
        first_word=lambda word: not is_indonesian_word(word),
    )


def answer_in_indonesian(generator: Generator, answer: str, passages: str) -> str | None:
    """An English answer put into Indonesian for the Indonesian question it answers, its
    citations kept at its end; None when the translation loses a name or number, or leaves
    words that are not Indonesian (the 1.5B model writes "karena war di Ukraina", "respekt"):
    the checked English answer is then better than a garbled Indonesian one.

    The answer's first word is a name to keep when the ``passages`` it was read from write it
    capitalised inside a sentence ("Putin last visited ...", not "Many other countries ...")."""
    text = strip_citations(answer)
    marks = list(dict.fromkeys(m.strip() for m in re.findall(CITATION, answer)))
    if not text:
        return None
    names = set(re.findall(r"(?<=[\w,;:] )[A-Z][\w'’-]*", passages))

    def not_indonesian(rendering: str) -> list[str]:
        """The lower-case words that are not Indonesian (names, short forms and numbers aside)."""
        words = re.findall(r"(?<![\w'’-])[a-z][a-z]+(?![\w'’-])", rendering)
        return list(dict.fromkeys(w for w in words if not is_indonesian_word(w)))

    rendering = _faithful(
        generator,
        TO_INDONESIAN_RULES,
        text,
        TO_INDONESIAN,
        "id",
        strict=True,
        first_word=lambda word: _without_possessive(word) in names,
        untranslated=not_indonesian,
    )
    if rendering is None:
        return None
    return " ".join([strip_citations(rendering), *marks])  # "... Senin. [1]", as it wrote
