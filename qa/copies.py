"""Republished copies: a passage whose best sentence for the question is one a higher-ranked
passage of another article already has brings no new evidence, so it does not take a top-k place.

A news archive holds the same wire copy many times (agencies' stories reprinted, a paragraph
quoted in follow-ups). Ranked by score, the copies of the one sentence that best matches a
question fill the top k and push out the passages that differ, the one holding the answer among
them. Here each candidate's *evidence* is its sentence holding the most query words; walking the
ranking, a candidate whose evidence an earlier pick from another article has is skipped. Passages
of one article are never each other's copies (overlapping chunks share sentences by design;
``qa.prompting.merge_spans`` joins them).

Measured with ``bench/archive.py``'s archive, where each sentence of 673 articles is reused in
recombined ones: recall@5 of the 378 probe questions at 10,000 passages 0.863 -> 0.907 on the
tuning half, 0.880 -> 0.926 on the held-out half (split by ``bench/facqa_split.held_out``); at
873 passages (no copies) 0.938 -> 0.932 and 0.935 -> 0.940 (bench/SCALE.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from qa.chunking import Chunk, sentence_spans
from qa.lexical import tokenize

T = TypeVar("T")


def query_words(query: str) -> frozenset[str]:
    """The query's words as the BM25 index has them (stemmed, stop words dropped)."""
    return frozenset(tokenize(query, short_forms=True))


def evidence(text: str, words: frozenset[str]) -> str:
    """The sentence of ``text`` holding the most of ``words`` (the first on a tie), case and
    spacing normalised; "" when no sentence holds any."""
    best, found = 0, ""
    for span in sentence_spans(text):
        sentence = text[span.start : span.end]
        held = len(words.intersection(tokenize(sentence, short_forms=True)))
        if held > best:
            best, found = held, " ".join(sentence.casefold().split())
    return found


def without_copies(
    ranked: Iterable[T], chunk_of: Callable[[T], Chunk], words: frozenset[str]
) -> Iterator[T]:
    """``ranked`` (best first) minus each item whose chunk's evidence an earlier item of
    another article had; lazily, so a top k costs the walk to the k-th distinct item."""
    first_doc: dict[str, str] = {}
    for item in ranked:
        chunk = chunk_of(item)
        found = evidence(chunk.text, words)
        if found:
            owner = first_doc.setdefault(found, chunk.doc)
            if owner != chunk.doc:
                continue
        yield item
