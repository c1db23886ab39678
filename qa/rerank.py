"""Second stage of retrieval: the best distinct candidates reranked by their sentence evidence.

BM25 and the embedder score a passage as a bag: a passage that scatters the question's words
over sentences of unrelated stories scores like one that says them together. In a large archive
such passages outnumber the one that answers. So the first ``RERANK_POOL`` candidates (in fused
order, another article's copies skipped: ``qa.copies``) are reordered by

    fused + RERANK_WEIGHT * (share of the query's words the best single sentence holds
                             + share of the query's adjacent word pairs adjacent in the passage)

and the top k taken from them. The pool is the fused top: a passage outside it is not promoted.

Measured with bench/rerank_sweep.py over bench/archive.py's archives (378 probe questions,
split by ``bench/facqa_split.held_out``; tuned on the tuning half only, with ``qa.copies``'
containment rule): recall@5 at 873 / 10,000 / 100,000 passages, tuning half 0.932 / 0.907 /
0.870 -> 0.932 / 0.925 / 0.894; held-out half 0.940 / 0.926 / 0.899 -> 0.940 / 0.935 / 0.922.
Pool 20 and 30 alike (15: 0.882 at 100,000), weight 0.4-0.6 alike; the idf-weighted share, the
best 2-sentence window or the whole passage's share did no better or worse.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TypeVar

from qa.chunking import Chunk
from qa.copies import Copies, read
from qa.lexical import tokenize

T = TypeVar("T")

RERANK_POOL = 20
RERANK_WEIGHT = 0.5


def query_pairs(query: str) -> frozenset[tuple[str, str]]:
    """The query's adjacent (stemmed, stop-word-free) word pairs."""
    words = tokenize(query, short_forms=True)
    return frozenset((a, b) for a, b in itertools.pairwise(words) if a != b)


def support(held: int, tokens: tuple[str, ...], words: frozenset[str], pairs: frozenset) -> float:
    """The share of ``words`` the best sentence holds (``held``) plus the share of ``pairs``
    adjacent (in either order) in ``tokens``; each in [0, 1]."""
    share = held / len(words) if words else 0.0
    if not pairs:
        return share
    adjacent = {(a, b) for a, b in itertools.pairwise(tokens)}
    found = sum((a, b) in adjacent or (b, a) in adjacent for a, b in pairs)
    return share + found / len(pairs)


def top_distinct(
    ranked: Iterable[T],
    chunk_of: Callable[[T], Chunk],
    score_of: Callable[[T], float],
    query: str,
    k: int,
    *,
    skip_copies: bool = True,
    weight: float = RERANK_WEIGHT,
    pool: int = RERANK_POOL,
) -> tuple[list[T], list[T]]:
    """The best ``k`` of ``ranked`` (best first by ``score_of``), and the pool they were taken
    from: the first ``max(k, pool)`` items, another article's copies skipped when
    ``skip_copies``, reordered by score plus ``weight`` times their sentence ``support`` (a
    stable sort: ties keep the fused order). With ``weight`` 0 the walk stops at k items."""
    from qa.copies import query_words

    words = query_words(query)
    pairs = query_pairs(query) if weight else frozenset()
    size = max(k, pool) if weight else k
    copies = Copies()
    taken: list[tuple[T, float]] = []
    for item in ranked:
        if len(taken) >= size:
            break
        chunk = chunk_of(item)
        if not (skip_copies or weight):
            taken.append((item, 0.0))
            continue
        reading = read(chunk.text, words)
        if skip_copies and copies.is_copy(reading.evidence, chunk.doc):
            continue
        bonus = weight * support(reading.held, reading.tokens, words, pairs) if weight else 0.0
        taken.append((item, bonus))
    found = [item for item, _ in taken]
    if weight:
        order = sorted(range(len(taken)), key=lambda i: -(score_of(taken[i][0]) + taken[i][1]))
        return [found[i] for i in order[:k]], found
    return found[:k], found
