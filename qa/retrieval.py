"""Hybrid retrieval: BM25 and dense (FAISS) scores, each scaled to [0, 1], fused by weight.

The weight is a setting (``dense_weight``) chosen by measurement (bench/QUALITY.md), not by habit:
on Indonesian text the English-only embedder is the weaker signal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.chunking import Chunk
from qa.embedding import Embedder
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


class Retriever:
    """Scores every chunk of an index for a query and returns the best ``k``."""

    def __init__(self, index: Index, embedder: Embedder | None, dense_weight: float) -> None:
        self.index = index
        self.embedder = embedder
        self.dense_weight = dense_weight if embedder is not None else 0.0

    def dense_scores(self, query: str) -> np.ndarray:
        n = len(self.index.chunks)
        scores = np.zeros(n, dtype=np.float32)
        if not n or self.embedder is None or self.dense_weight == 0.0:
            return scores
        vector = np.asarray(self.embedder.embed([query]), dtype=np.float32).reshape(1, -1)
        depth = n if n <= 2000 else 500
        sims, rows = self.index.dense.search(vector, depth)
        valid = rows[0] >= 0
        scores[rows[0][valid]] = sims[0][valid]
        return scores

    def fuse(self, lexical: np.ndarray, dense: np.ndarray) -> np.ndarray:
        return fuse_scores(lexical, dense, self.dense_weight)

    def scores(self, query: str) -> np.ndarray:
        """Fused score of every chunk, aligned with ``index.chunks``."""
        return self.fuse(self.index.lexical.scores(query), self.dense_scores(query))

    def search(self, query: str, k: int) -> list[Hit]:
        lexical = self.index.lexical.scores(query)
        dense = self.dense_scores(query)
        fused = self.fuse(lexical, dense)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(self.index.chunks[i], float(fused[i]), float(dense[i]), float(lexical[i]))
            for i in order
        ]
