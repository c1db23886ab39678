"""Republished copies: a passage whose best sentence for the question is one a higher-ranked
passage of another article already has brings no new evidence, so it does not take a top-k place.

A news archive holds the same wire copy many times (agencies' stories reprinted, a paragraph
quoted in follow-ups). Ranked by score, the copies of the one sentence that best matches a
question fill the top k and push out the passages that differ, the one holding the answer among
them. Here each candidate's *evidence* is its sentence holding the most query words; walking the
ranking, a candidate whose evidence an earlier pick from another article has (the same sentence,
or one holding the other: ``same_evidence``) is skipped. Passages
of one article are never each other's copies (overlapping chunks share sentences by design;
``qa.prompting.merge_spans`` joins them).

Measured with ``bench/archive.py``'s archive, where each sentence of 673 articles is reused in
recombined ones: recall@5 of the 378 probe questions at 10,000 passages 0.863 -> 0.907 on the
tuning half, 0.880 -> 0.926 on the held-out half (split by ``bench/facqa_split.held_out``); at
873 passages (no copies) 0.938 -> 0.932 and 0.935 -> 0.940 (bench/SCALE.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from qa.chunking import Chunk, sentence_spans
from qa.lexical import tokenize

T = TypeVar("T")

# Two evidence sentences are one copy when they are equal, or when one holds the other and the
# shorter is at least this long: a reprint glued to another sentence's tail (a byline, a
# paragraph the sentence splitter did not end) brings no new evidence either. Measured with
# bench/rerank_sweep.py (--key contain): recall@5 of the tuning half at 100,000 passages
# 0.851 -> 0.870 (25 and 40 characters alike, 60: 0.863), none changed at 873 or 10,000.
MIN_COPY_CHARS = 40


def query_words(query: str) -> frozenset[str]:
    """The query's words as the BM25 index has them (stemmed, stop words dropped)."""
    return frozenset(tokenize(query, short_forms=True))


@lru_cache(maxsize=32_768)
def _sentence_tokens(sentence: str) -> tuple[str, ...]:
    """A sentence's tokens; cached, as an archive's copies repeat sentences across passages."""
    return tuple(tokenize(sentence, short_forms=True))


@dataclass(frozen=True)
class Reading:
    """What a passage offers a question: its evidence sentence (``evidence``), how many query
    words that sentence holds, and the passage's tokens in order (for ``qa.rerank``)."""

    evidence: str
    held: int
    tokens: tuple[str, ...]


@lru_cache(maxsize=8_192)
def read(text: str, words: frozenset[str]) -> Reading:
    """``text``'s sentence holding the most of ``words`` (the first on a tie), case and spacing
    normalised ("" when none holds any), that count, and ``text``'s tokens. Cached: a search
    whose candidate lists are deepened walks the same passages again."""
    best, found = 0, ""
    tokens: list[str] = []
    for span in sentence_spans(text):
        sentence = text[span.start : span.end]
        held_tokens = _sentence_tokens(sentence)
        tokens += held_tokens
        held = len(words.intersection(held_tokens))
        if held > best:
            best, found = held, " ".join(sentence.casefold().split())
    return Reading(found, best, tuple(tokens))


def evidence(text: str, words: frozenset[str]) -> str:
    """The sentence of ``text`` holding the most of ``words`` (the first on a tie), case and
    spacing normalised; "" when no sentence holds any."""
    return read(text, words).evidence


def same_evidence(a: str, b: str) -> bool:
    """Whether two evidence sentences are one copy (``MIN_COPY_CHARS``)."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_COPY_CHARS and short in long


class Copies:
    """The walk's memory: evidence already taken, by article."""

    def __init__(self) -> None:
        self._taken: list[tuple[str, str]] = []

    def is_copy(self, found: str, doc: str) -> bool:
        """Whether another article's earlier pick has ``found`` (then it is not remembered);
        else ``found`` is remembered for ``doc``."""
        if not found:
            return False
        if any(owner != doc and same_evidence(found, seen) for seen, owner in self._taken):
            return True
        self._taken.append((found, doc))
        return False


def without_copies(
    ranked: Iterable[T], chunk_of: Callable[[T], Chunk], words: frozenset[str]
) -> Iterator[T]:
    """``ranked`` (best first) minus each item whose chunk's evidence an earlier item of
    another article had; lazily, so a top k costs the walk to the k-th distinct item."""
    copies = Copies()
    for item in ranked:
        chunk = chunk_of(item)
        if not copies.is_copy(evidence(chunk.text, words), chunk.doc):
            yield item
