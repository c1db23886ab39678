"""Prompt building: passages numbered for citation, Qwen chat markup, and a stable prefix.

Order is fixed text first (rules), then the passages, then the conversation, then the question, so
that everything before the question can be served from llama.cpp's KV cache when it repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import overload

from qa.chunking import Chunk, sentence_spans
from qa.language import question_language
from qa.untrusted import for_prompt
from qa.vocabulary import ASKS_WHEN_OR_YEAR

REFUSAL = {
    "id": "Artikel tidak menyebutkan hal itu.",
    "en": "The articles do not say.",
}
LANGUAGE_HINT = {
    "id": "Jawab singkat dalam bahasa Indonesia.",
    "en": "Answer briefly in English.",
}

WHEN_HINT = {
    "id": "Sebutkan tahun atau tanggalnya.",
    "en": "Give the year or date.",
}

SYSTEM_RULES = f"""You answer questions about news articles, using only the numbered passages below.
Rules:
- Answer in one or two short sentences, in the language of the question.
- Cite the passage that supports each claim by its number in square brackets, like [2].
- Use only facts stated in the passages, never outside knowledge.
- If the passages do not contain the answer, reply only: "{REFUSAL["id"]}" (Indonesian question) \
or "{REFUSAL["en"]}" (English question)."""


@dataclass(frozen=True)
class Passage:
    """A numbered, citable span of one article (``text == article[start:end]``)."""

    n: int
    doc: str
    title: str
    start: int
    end: int
    text: str
    score: float = 0.0


@dataclass(frozen=True)
class Turn:
    """One finished exchange of a conversation."""

    question: str
    answer: str


def merge_spans(scored: Iterable[tuple[Chunk, float]]) -> list[Passage]:
    """Merge overlapping chunks of the same article into one passage; order by best score."""
    by_doc: dict[str, list[tuple[Chunk, float]]] = {}
    for chunk, score in scored:
        by_doc.setdefault(chunk.doc, []).append((chunk, score))
    merged: list[tuple[float, str, str, int, int, str]] = []
    for doc, items in by_doc.items():
        items.sort(key=lambda item: item[0].start)
        chunk, score = items[0]
        title, start, end, text, best = chunk.title, chunk.start, chunk.end, chunk.text, score
        for chunk, score in items[1:]:
            if chunk.start <= end:  # overlapping: extend with the part not yet covered
                if chunk.end > end:
                    text += chunk.text[end - chunk.start :]
                    end = chunk.end
                best = max(best, score)
                continue
            merged.append((best, doc, title, start, end, text))
            title, start, end, text, best = chunk.title, chunk.start, chunk.end, chunk.text, score
        merged.append((best, doc, title, start, end, text))
    merged.sort(key=lambda m: (-m[0], m[1], m[3]))
    return [Passage(i + 1, d, t, s, e, x, sc) for i, (sc, d, t, s, e, x) in enumerate(merged)]


@overload
def tile_chunks(chunks: Iterable[Chunk]) -> list[Passage]: ...


@overload
def tile_chunks(chunks: Iterable[Chunk], max_chars: int) -> list[Passage] | None: ...


def tile_chunks(chunks: Iterable[Chunk], max_chars: int | None = None) -> list[Passage] | None:
    """The whole corpus as non-overlapping passages (each chunk minus its overlap), in order;
    None as soon as their text reaches ``max_chars`` (an archive too large for one prompt is
    not walked to its end: at 100,000 chunks that walk cost ~0.6 s of a cold question)."""
    passages: list[Passage] = []
    prev_doc, prev_end, total = None, 0, 0
    for chunk in chunks:
        if chunk.doc != prev_doc:
            prev_doc, prev_end = chunk.doc, 0
        start = max(chunk.start, prev_end)
        text = chunk.text[start - chunk.start :]
        stripped = text.lstrip()
        start += len(text) - len(stripped)
        if stripped:
            total += len(stripped)
            if max_chars is not None and total >= max_chars:
                return None
            passages.append(
                Passage(len(passages) + 1, chunk.doc, chunk.title, start, chunk.end, stripped)
            )
        prev_end = max(prev_end, chunk.end)
    return passages


def fit_passages(
    passages: Sequence[Passage], query: str, budget_chars: int, other_chars: int | None = None
) -> list[Passage]:
    """Keep the best passages within a character budget; a passage that does not fit whole is cut
    to the sentence sharing the most words with the query, widened by neighbours while it fits.
    Passages after the best one get at most ``other_chars`` each.

    Every prompt token costs prefill time (~90 tokens/s for the default model on two cores), so
    on a large corpus the prompt carries the likeliest sentences, not whole passages; the runners-up
    hold the answer less often than the best passage, so they are cut shortest.
    """
    kept: list[Passage] = []
    room = budget_chars
    for p in passages:
        limit = room if not kept or other_chars is None else min(room, other_chars)
        window = (0, len(p.text)) if len(p.text) <= limit else _best_window(p.text, query, limit)
        if window is None:
            continue  # its best sentence alone is too long; a later passage may still fit
        lo, hi = window
        kept.append(
            Passage(p.n, p.doc, p.title, p.start + lo, p.start + hi, p.text[lo:hi], p.score)
        )
        room -= hi - lo
        if room < 60:
            break
    return [
        Passage(i + 1, p.doc, p.title, p.start, p.end, p.text, p.score) for i, p in enumerate(kept)
    ]


def _best_window(text: str, query: str, room: int) -> tuple[int, int] | None:
    from qa.lexical import tokenize

    spans = list(sentence_spans(text))
    if not spans:
        return None
    wanted = set(tokenize(query))
    overlap = [len(wanted & set(tokenize(text[s.start : s.end]))) for s in spans]
    best = max(range(len(spans)), key=lambda j: (overlap[j], -j))
    lo = hi = best
    if spans[best].end - spans[best].start > room:
        return None
    while True:
        if hi + 1 < len(spans) and spans[hi + 1].end - spans[lo].start <= room:
            hi += 1
        elif lo > 0 and spans[hi].end - spans[lo - 1].start <= room:
            lo -= 1
        else:
            return spans[lo].start, spans[hi].end


# A "title" longer than this is an article's first paragraph, not a headline.
_MAX_HEADLINE = 120


def _headline(p: Passage) -> str | None:
    """The article's title when it is worth its prompt tokens: a headline the passage does not
    already start with (articles without one get their first paragraph as title; a title cut
    short with an ellipsis, as archives write the first sentence, counts by what it keeps)."""
    title = p.title.strip()
    kept = title.rstrip("…. ").strip()
    if not title or len(title) > _MAX_HEADLINE or p.text.startswith(kept or title):
        return None
    return title


def format_passages(passages: Sequence[Passage]) -> str:
    lines = []
    current_doc = None
    for p in passages:
        if p.doc != current_doc:
            current_doc = p.doc
            if headline := _headline(p):
                lines.append(f"Article: {for_prompt(headline)}")
        lines.append(f"[{p.n}] {for_prompt(p.text)}")
    return "\n\n".join(lines)


# A citation as the model writes it after a claim: " [2]", " [1, 3]".
CITATION = r"\s*\[\d+(?:\s*,\s*\d+)*\]"
_CITATION = re.compile(CITATION)


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text).strip()


def chat_markup(role: str, content: str) -> str:
    """One chat message; its content (questions, answers, article sentences) is untrusted
    text, so it cannot spell a control token (``qa.untrusted.for_prompt``)."""
    return f"<|im_start|>{role}\n{for_prompt(content)}<|im_end|>\n"


def rules_prefix() -> str:
    """The start of every prompt whatever its passages (it ends on a word, so its tokens are a
    prefix of every prompt's tokens): what a retrieval prompt can serve from the KV cache."""
    return f"<|im_start|>system\n{SYSTEM_RULES}\n\nPassages"


def prompt_prefix(passages: Sequence[Passage]) -> str:
    """The part of the prompt that depends only on the passages: cacheable."""
    return f"{rules_prefix()}:\n\n{format_passages(passages)}<|im_end|>\n"


def question_hint(question: str, language: str) -> str:
    """The reminder after the question: language, and for 'when' questions, ask for the date."""
    hint = LANGUAGE_HINT[language]
    if ASKS_WHEN_OR_YEAR.search(question):
        hint += " " + WHEN_HINT[language]
    return hint


# "Now" in a question about news means when the article was written; to the model it means its
# own training data ("Siapakah presiden Venezuela saat ini?" was answered from memory, or refused,
# over "Presiden Venezuela Hugo Chavez"). So the model reads the question without it. Kept after
# "hingga"/"sejak" ("hingga sekarang" is a span, not a moment).
_NOW = re.compile(
    r"(?<!hingga)(?<!sampai)(?<!sejak)(?<!until)(?<!since)"
    r"\s+(?:sekarang ini|sekarang|saat ini|kini|currently|right now|now|today)\b"
    r"(?=\s*(?:[?.!]|$|yang\b|who\b|that\b))"
    r"|\bcurrent\s+(?=\w)",
    re.IGNORECASE,
)


def without_now(question: str) -> str:
    """The question as the model reads it: without "now" ("saat ini", "sekarang", "current")."""
    return _NOW.sub("", question)


def build_prompt(
    passages: Sequence[Passage],
    question: str,
    language: str,
    history: Sequence[Turn] = (),
    opening: str | None = None,
) -> str:
    """The full prompt: cacheable prefix, earlier turns, the question, then the answer's
    ``opening`` (``qa.answer_opening``) for the model to go on from.

    Earlier turns are written exactly as they were asked and answered (hint and citations
    included), so a follow-up finds the previous exchange still in llama.cpp's KV cache and
    prefills only its own question.
    """
    parts = [prompt_prefix(passages)]
    for turn in history:
        parts.append(_asked(turn.question, question_language(turn.question)))
        parts.append(chat_markup("assistant", turn.answer))
    parts.append(_asked(question, language))
    parts.append("<|im_start|>assistant\n")
    parts.append(for_prompt(opening or ""))
    return "".join(parts)


def _asked(question: str, language: str) -> str:
    return chat_markup("user", f"{without_now(question)}\n({question_hint(question, language)})")


_CITED = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def cited_claims(answer: str) -> list[tuple[int, str]]:
    """Each citation with the claim it backs: the text since the previous citation."""
    claims: list[tuple[int, str]] = []
    previous = 0
    for match in _CITED.finditer(answer):
        claim = answer[previous : match.start()].strip()
        claims.extend((int(n), claim) for n in match.group(1).split(","))
        previous = match.end()
    return claims


def is_refusal(answer: str) -> bool:
    text = strip_citations(answer).lower()
    return any(r.lower().rstrip(".") in text for r in REFUSAL.values())
