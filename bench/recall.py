"""Recall@k of fused retrieval scores against gold chunks: shared by the retrieval sweeps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.chunking import Chunk
from qa.evaluation import EvalItem, contains_answer, evidence_in


def gold_chunks(items: Sequence[EvalItem], chunks: Sequence[Chunk]) -> np.ndarray:
    """[question, chunk]: the chunk is from the gold article and holds the evidence quote
    (when the item gives one)."""
    gold = np.zeros((len(items), len(chunks)), dtype=bool)
    for qi, item in enumerate(items):
        for ci, chunk in enumerate(chunks):
            ok = item.doc is None or chunk.doc == item.doc
            if ok and item.evidence is not None:
                ok = evidence_in(chunk.text, item.evidence)
            gold[qi, ci] = ok
    return gold


def answer_chunks(items: Sequence[EvalItem], chunks: Sequence[Chunk]) -> np.ndarray:
    """[question, chunk]: the chunk holds one of the gold answers (as ``qa eval`` finds them in an
    answer), whatever its article. A diagnostic, not the target's measure: it tells a miss that
    found the same fact in another article (facqa's articles are excerpts, and often repeat each
    other) from a miss that found nothing; a short answer ("China") can also occur by chance."""
    return np.array(
        [[contains_answer(c.text, item.answers) for c in chunks] for item in items], dtype=bool
    ).reshape(len(items), len(chunks))


def recall_at(fused: np.ndarray, gold: np.ndarray, ks: Sequence[int]) -> list[float]:
    """Share of questions with a gold chunk among their ``k`` best-scored chunks, per ``k``."""
    order = np.argsort(-fused, axis=1, kind="stable")
    rows = range(len(fused))
    return [float(np.mean([gold[i, order[i, :k]].any() for i in rows])) for k in ks]


def recall_within(
    fused: np.ndarray, gold: np.ndarray, lengths: Sequence[int], budget: int
) -> float:
    """Share of questions with a gold chunk among their best chunks that fit ``budget``
    characters together (the best one always counts): bigger chunks cannot win by volume."""
    order = np.argsort(-fused, axis=1, kind="stable")
    hits = 0
    for i, row in enumerate(order):
        used = 0
        for rank, c in enumerate(row):
            used += lengths[c]
            if rank and used > budget:
                break
            if gold[i, c]:
                hits += 1
                break
    return hits / len(fused) if len(fused) else 0.0
