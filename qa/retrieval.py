"""Hybrid retrieval: BM25 and dense (FAISS) scores, each scaled to [0, 1], fused by weight.

The weight is a setting (``dense_weight``) chosen by measurement (bench/QUALITY.md), not by habit:
on Indonesian text the English-only embedder is the weaker signal.

``search`` fuses only candidates: the BM25 top-``depth`` and the FAISS top-``depth``, each
candidate given its exact score in the other list too (its BM25 score from the query terms'
postings, its cosine from its stored vector). Per question, the work grows with the query terms'
postings and with FAISS search, not with the archive (bench/search_speed.py). ``scores`` still
scores every chunk, for the whole-corpus prompt of a small archive and for the recall benches.

Both take ``rows`` (ascending chunk rows: a ``qa.scope.Scope``'s articles) to consider only those:
BM25 postings outside them are dropped by a binary search into ``rows`` and FAISS searches only
their vectors (``dense_index.search``'s selector), so a scoped question costs what the scope
costs, not what the archive does (bench/scope_search.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.chunking import Chunk
from qa.dense_index import search as dense_search
from qa.embedding import Embedder
from qa.lexical import top_k
from qa.rerank import RERANK_POOL, RERANK_WEIGHT, top_distinct
from qa.store import Index


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused, in [0, 1]
    dense: float  # cosine similarity
    lexical: float  # raw BM25


def _scaled(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def fuse_scores(lexical: np.ndarray, dense: np.ndarray, dense_weight: float) -> np.ndarray:
    """Each score scaled by its best, then weighted: BM25's scale varies with the query."""
    w = dense_weight
    return (1.0 - w) * _scaled(lexical) + w * _scaled(np.clip(dense, 0.0, None))


# Candidates taken from each list, by measurement (bench/search_speed.py --compare): over
# facqa-dev (878 chunks, 1,581 questions, MiniLM), depth 50 or more gives every question the same
# top 5 as fusing every chunk (depth 20: 1,577; 10: 1,511), recall@5 0.9355 either way; 100 leaves
# room for larger archives at under a millisecond of extra work.
CANDIDATE_DEPTH = 100
# How far the lists may be deepened for a top k they cannot prove (``Retriever.search``).
MAX_DEEPENING = 16
# With the rerank (qa.rerank), the lists start at their deepest (MAX_DEEPENING times the depth):
# its pool of 20 distinct passages reaches past the first 100 candidates wherever copies fill
# them, and each deepening repeats the exact FAISS scan (8-17 ms at 100,000 passages). At
# 100,000 passages (126 probe questions, bench/rerank_sweep.py's machine, the other core busy)
# starting at 100 / 400 / 1,600 took p50 89 / 79 / 66 ms, p95 144 / 128 / 117 ms.


class Retriever:
    """Finds the best ``k`` chunks of an index for a query (``search``), or scores them all."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder | None,
        dense_weight: float,
        depth: int = CANDIDATE_DEPTH,
        skip_copies: bool = True,
        rerank_weight: float = RERANK_WEIGHT,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.dense_weight = dense_weight if embedder is not None else 0.0
        self.depth = depth
        self.skip_copies = skip_copies  # qa.copies: another article's copy takes no place
        self.rerank_weight = rerank_weight  # qa.rerank: the pool reordered by sentence evidence

    def dense_scores(self, query: str) -> np.ndarray:
        n = len(self.index.chunks)
        scores = np.zeros(n, dtype=np.float32)
        if not n or self.embedder is None or self.dense_weight == 0.0:
            return scores
        vector = np.asarray(self.embedder.embed([query]), dtype=np.float32).reshape(1, -1)
        depth = n if n <= 2000 else 500
        sims, rows = dense_search(self.index.dense, vector, depth)
        valid = rows >= 0
        scores[rows[valid]] = sims[valid]
        return scores

    def fuse(self, lexical: np.ndarray, dense: np.ndarray) -> np.ndarray:
        return fuse_scores(lexical, dense, self.dense_weight)

    def scores(self, query: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Fused score of every chunk, aligned with ``index.chunks``; or of ``rows`` only,
        aligned with them (each score scaled by the best among ``rows``)."""
        if rows is None:
            return self.fuse(self.index.lexical.scores(query), self.dense_scores(query))
        matched, matched_scores = self.index.lexical.matches(query)
        lexical = _lookup(matched, matched_scores, rows)
        vector = self._vector(query)
        dense = np.zeros(len(rows), dtype=np.float32)
        if vector is not None and len(rows):
            dense = self.index.dense.reconstruct_batch(rows) @ vector
        return self.fuse(lexical, dense)

    def search(
        self,
        query: str,
        k: int,
        rows: np.ndarray | None = None,
        docs: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The best ``k`` chunks by fused score, ties by row, as a stable sort of ``scores``
        orders them: after the chunks scoring above 0, the first rows (all scoring 0) in order.
        With ``skip_copies``, a chunk whose best sentence a better one of another article has
        is passed over (``qa.copies``); with ``rerank_weight``, the first ``RERANK_POOL`` so
        found are reordered by their sentence evidence before the top k is taken (``qa.rerank``).

        A chunk in neither candidate list scores at most ``bound`` (the last BM25 candidate's
        score and the last FAISS one's, fused); when the pool's last does not beat that, the
        lists are deepened fourfold, up to ``MAX_DEEPENING`` times the depth, so the top k is
        the all-chunk one whenever FAISS is exact. With ``rows``, only those chunks compete
        (``docs``, their articles, is for stores that filter by article: the rows say it here)."""
        scope = rows
        vector = self._vector(query)
        matched, matched_scores = self.index.lexical.matches(query)
        if scope is not None:
            matched, matched_scores = _within(matched, matched_scores, scope)
        n = len(self.index.chunks) if scope is None else len(scope)
        size = max(k, RERANK_POOL) if self.rerank_weight else k
        depth = max(k, self.depth)
        if self.rerank_weight and n > depth:  # the pool reaches past the first candidates
            depth = max(depth, self.depth * MAX_DEEPENING)
        while True:
            found = self._candidates(vector, matched, matched_scores, depth, scope)
            rows, fused, dense, lexical, bound = found
            order, pool = self._top(rows, fused, k, query)
            last = float(fused[pool[-1]]) if len(pool) == min(size, n) and pool else 0.0
            if last > bound or bound == 0.0 or depth >= n or depth >= self.depth * MAX_DEEPENING:
                break
            depth *= 4
        hits = [
            Hit(self.index.chunks[rows[j]], float(fused[j]), float(dense[j]), float(lexical[j]))
            for j in order
        ]
        taken = {int(rows[j]) for j in order}
        every = range(n) if scope is None else (int(r) for r in scope)
        filler = (i for i in every if i not in taken)
        while len(hits) < min(k, n):
            hits.append(Hit(self.index.chunks[next(filler)], 0.0, 0.0, 0.0))
        return hits

    def _top(
        self, rows: np.ndarray, fused: np.ndarray, k: int, query: str
    ) -> tuple[list[int], list[int]]:
        """Positions of the best ``k`` candidates scoring above 0 (``qa.rerank.top_distinct``:
        the fused order, ties by row, without another article's copies when ``skip_copies``,
        its first ``RERANK_POOL`` reordered by sentence evidence), and of that pool."""
        ranked = (int(j) for j in np.lexsort((rows, -fused)) if fused[j] > 0.0)
        chunks = self.index.chunks
        return top_distinct(
            ranked,
            lambda j: chunks[int(rows[j])],
            lambda j: float(fused[j]),
            query,
            k,
            skip_copies=self.skip_copies,
            weight=self.rerank_weight,
        )

    def _vector(self, query: str) -> np.ndarray | None:
        if self.embedder is None or self.dense_weight == 0.0 or not len(self.index.chunks):
            return None
        return np.asarray(self.embedder.embed([query]), dtype=np.float32).reshape(-1)

    def _candidates(
        self,
        vector: np.ndarray | None,
        matched: np.ndarray,
        matched_scores: np.ndarray,
        depth: int,
        scope: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """Rows of the union of the BM25 and FAISS top-``depth``, with their fused, cosine and
        BM25 scores, and the most a chunk outside both lists can score. Each list's best scales
        it, as in ``fuse``: BM25's best is its top 1, the cosine's its FAISS top 1."""
        n = len(self.index.chunks) if scope is None else len(scope)
        lex_rows, lex_scores = top_k(matched, matched_scores, depth)
        lex_last = float(lex_scores[-1]) if len(matched) > depth else 0.0
        dense_rows = np.zeros(0, dtype=np.int64)
        dense_last = 0.0
        if vector is not None:
            sims, found = dense_search(self.index.dense, vector, min(depth, n), scope)
            dense_rows = found[found >= 0].astype(np.int64)
            dense_last = max(float(sims[-1]), 0.0) if depth < n and len(dense_rows) else 0.0
        rows = np.union1d(lex_rows, dense_rows)
        lexical = _lookup(matched, matched_scores, rows)
        dense = np.zeros(len(rows), dtype=np.float32)
        if vector is not None and len(rows):
            dense = self.index.dense.reconstruct_batch(rows) @ vector
        fused = self.fuse(lexical, dense)
        top_lex = float(lexical.max()) if len(rows) else 0.0
        top_dense = float(np.clip(dense, 0.0, None).max()) if len(rows) else 0.0
        w = self.dense_weight
        bound = (1.0 - w) * (lex_last / top_lex if top_lex > 0 else 0.0) + w * (
            dense_last / top_dense if top_dense > 0 else 0.0
        )
        return rows, fused, dense, lexical, bound


def _lookup(rows: np.ndarray, scores: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``scores`` of the ``wanted`` rows, 0 where ``rows`` (ascending) lacks one."""
    out = np.zeros(len(wanted), dtype=np.float32)
    if not len(rows) or not len(wanted):
        return out
    at = np.minimum(np.searchsorted(rows, wanted), len(rows) - 1)
    found = rows[at] == wanted
    out[found] = scores[at[found]]
    return out


def _within(
    rows: np.ndarray, scores: np.ndarray, scope: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The ``rows`` (and their ``scores``) that are in ``scope`` (ascending): a binary search
    per row, so the cost follows the postings, not the archive."""
    if not len(rows) or not len(scope):
        return rows[:0], scores[:0]
    at = np.minimum(np.searchsorted(scope, rows), len(scope) - 1)
    keep = scope[at] == rows
    return rows[keep], scores[keep]
