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
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.chunking import sentence_spans
from qa.generation import Generator
from qa.language import question_language
from qa.prompting import Passage, chat_markup

TRANSLATE_RULES = (
    "You translate Indonesian news text into English. Output only the translation of the "
    "user's text, faithfully, keeping every name and number."
)
# Part of every cache key: a change in how sentences are translated translates them again.
TRANSLATION_METHOD = "2"
# A translation much longer than its sentence is the model rambling, not translating.
_MAX_GROWTH = 3.0

# Capitalised Indonesian words that English spells differently. A translation must carry each
# name and number of its sentence (verbatim, nearly, or as listed here); otherwise the model is
# asked again with the names spelled out, and if it still drops one, the English reading keeps
# the Indonesian sentence. A 1.5B model otherwise turns "Korea Utara" into South Korea, "Selasa"
# into Saturday or drops "Kongju" from a university's name.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "utara": ("north",),
    "selatan": ("south",),
    "timur": ("east",),
    "barat": ("west",),
    "tengah": ("central", "middle"),
    "jauh": ("far",),
    "senin": ("monday",),
    "selasa": ("tuesday",),
    "rabu": ("wednesday",),
    "kamis": ("thursday",),
    "jumat": ("friday",),
    "sabtu": ("saturday",),
    "minggu": ("sunday", "week"),
    "januari": ("january",),
    "februari": ("february",),
    "maret": ("march",),
    "mei": ("may",),
    "juni": ("june",),
    "juli": ("july",),
    "agustus": ("august",),
    "oktober": ("october",),
    "desember": ("december",),
    "as": ("us", "u.s", "united states", "america"),
    "amerika": ("america", "us", "u.s"),
    "serikat": ("united", "states", "us", "u.s"),
    "pbb": ("un", "united nations"),
    "ktt": ("summit",),
    "tiongkok": ("china", "chinese"),
    "cina": ("china", "chinese"),
    "jepang": ("japan",),
    "jerman": ("german",),
    "prancis": ("france", "french"),
    "perancis": ("france", "french"),
    "inggris": ("britain", "british", "english", "uk", "england"),
    "belanda": ("netherlands", "dutch"),
    "mesir": ("egypt",),
    "moskow": ("moscow",),
    "haag": ("hague",),
    "den": ("the", "den"),
    "presiden": ("president",),
    "menteri": ("minister",),
    "perdana": ("prime",),
    "universitas": ("university",),
    "nasional": ("national",),
    "internasional": ("international",),
    "pengadilan": ("court",),
    "kriminal": ("criminal",),
    "mahkamah": ("court",),
    "perang": ("war",),
    "dunia": ("world",),
    "lapangan": ("square", "field"),
    "kosmodrom": ("cosmodrome", "cosmodrom"),
    "kementerian": ("ministry",),
    "partai": ("party",),
}
_TERM = re.compile(r"(?<![\w.,])(?:[A-Z][\w'’-]*|\d[\d.,]*\d|\d)")


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
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"entries": self.entries}, ensure_ascii=False), "utf-8")
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError:
            pass  # a read-only cache: translations are just not kept


def _terms(sentence: str) -> list[str]:
    """Names and numbers after the first word (a capital at the start says nothing)."""
    first = re.search(r"\w", sentence)
    opening = first.start() if first else 0
    return [m.group(0) for m in _TERM.finditer(sentence) if m.start() > opening]


def lost_terms(sentence: str, english: str) -> list[str]:
    """The names and numbers of ``sentence`` that ``english`` does not carry."""
    from qa.attribution import close_spelling

    folded = english.casefold()
    words = set(re.findall(r"[\w.]+", folded))
    lost = []
    for term in _terms(sentence):
        key = term.casefold()
        if key[0].isdigit():
            found = key.replace(".", "").replace(",", "") in re.sub(r"[.,]", "", folded)
        else:
            found = (
                key in folded
                or any(re.search(rf"\b{re.escape(g)}\b", folded) for g in GLOSSARY.get(key, ()))
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
    rules = TRANSLATE_RULES
    for _attempt in range(2):
        english = _rewrite(generator, rules, sentence)
        if english is None:
            return sentence
        lost = lost_terms(sentence, english)
        if not lost:
            return english
        spelled = [
            f"{t} = {GLOSSARY[t.casefold()][0]}" if t.casefold() in GLOSSARY else t for t in lost
        ]
        rules = f"{TRANSLATE_RULES} Keep these exactly: {'; '.join(spelled)}."
    return sentence


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
    progress: Callable[[int, int], None] | None = None,
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
