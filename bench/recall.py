"""Recall@k of fused retrieval scores against gold chunks: shared by the retrieval sweeps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qa.chunking import Chunk
from qa.evaluation import EvalItem, contains_answer, evidence_in

if TYPE_CHECKING:
    from qa.engine import Engine


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


def question_scores(engine: Engine, queries: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """[question, chunk] BM25 and cosine scores, each computed once for every weight to fuse."""
    retriever = engine.retriever
    lexical = np.stack([retriever.index.lexical.scores(q) for q in queries])
    dense = engine.embedder.embed(list(queries)) @ retriever.index.vectors().T
    return lexical, dense


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


MISS_KINDS = ("answer elsewhere", "no shared word", "only common words", "distinctive word")


def miss_kinds(
    fused: np.ndarray,
    gold: np.ndarray,
    answers: np.ndarray,
    question_terms: Sequence[set[str]],
    chunk_terms: Sequence[set[str]],
    k: int = 5,
    common_share: float = 0.01,
) -> dict[str, list[int]]:
    """The recall@k misses sorted by what retrieval could have done about them, to tell how far
    ranking can go on a set whose gold is one article among several that could be: a top-k chunk
    holds the gold answer anyway; the gold chunk shares no search term with the question; it
    shares only terms found in at least ``common_share`` of the chunks ("presiden", "provinsi");
    or it shares a rarer one, the misses a better ranking could win."""
    df: dict[str, int] = {}
    for terms in chunk_terms:
        for t in terms:
            df[t] = df.get(t, 0) + 1
    common = common_share * len(chunk_terms)
    order = np.argsort(-fused, axis=1, kind="stable")[:, :k]
    kinds: dict[str, list[int]] = {kind: [] for kind in MISS_KINDS}
    for qi, top in enumerate(order):
        if gold[qi, top].any():
            continue
        gold_terms = [chunk_terms[c] for c in np.flatnonzero(gold[qi])]
        shared = question_terms[qi] & set().union(*gold_terms)
        if answers[qi, top].any():
            kind = "answer elsewhere"
        elif not shared:
            kind = "no shared word"
        elif all(df[t] >= common for t in shared):
            kind = "only common words"
        else:
            kind = "distinctive word"
        kinds[kind].append(qi)
    return kinds
