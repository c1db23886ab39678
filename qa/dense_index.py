"""The FAISS index a version's vectors go into: exact below a size threshold, HNSW above it.

Exact search (``IndexFlatIP``) reads every vector per question: at 100,000 x 384 on this 2-core
machine one query takes 8.6 ms p50 (one thread; 15 ms with two) and 15 ms at 200,000, well under
the 50 ms retrieval budget, and it is built instantly (an update rewrites it whole). So the
approximate index only starts at ``QA_ANN_THRESHOLD`` vectors (default 200,000). Above it,
``IndexHNSWFlat`` (inner product) with M 32, efConstruction 80 and efSearch 256: on 100,000
vectors mixed from real MiniLM passage vectors it finds 99.6% of the exact top 10 and 98.1% of the
exact top 100 in 0.6 ms p50, built in 22 s (M 16 / efSearch 128: 89% of the top 10; IVF was not
needed; on random unit vectors, which have no neighbourhoods, it finds 95% at 10,000 but 43% at
100,000). It stores the vectors whole, so ``reconstruct`` still gives exact cosines. Figures:
bench/search_speed.py and bench/SEARCH.md. The faiss file records its own type; efSearch is saved
with it.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

ANN_THRESHOLD = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256


def ann_threshold() -> int:
    """Vectors from which the index is approximate: ``QA_ANN_THRESHOLD``, else 200,000."""
    raw = os.environ.get("QA_ANN_THRESHOLD", "").strip()
    return int(raw) if raw else ANN_THRESHOLD


def build_dense_index(vectors: np.ndarray, threshold: int | None = None) -> Any:
    """A ``faiss.Index`` holding ``vectors`` (rows normalised, so inner product is cosine):
    exact below ``threshold`` (default ``ann_threshold()``), HNSW from it on."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    limit = ann_threshold() if threshold is None else threshold
    if len(vectors) < limit:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    if len(vectors):
        index.add(vectors)
    return index


# A scope of at most this many vectors is scored directly (its vectors times the query): cheaper
# than building FAISS's selector and exact whatever the index type.
DIRECT_SCOPE = 4096


def search(
    index: Any, vector: np.ndarray, k: int, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """FAISS top-``k`` (similarities, rows) of one query, on one thread: splitting one query over
    OpenMP threads costs more than it saves here. At 100,000 x 384, exact search takes 8 ms p50 on
    one thread and 40 ms on two while the other core is busy (an indexing run, the model
    loading in the background), 15 ms on two when it is idle.

    With ``rows`` (ascending), only those vectors are searched: a small scope directly, a larger
    one through FAISS's ``IDSelectorBatch`` (the same search, skipping every other vector)."""
    import faiss

    query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
    if rows is not None and len(rows) <= DIRECT_SCOPE:
        sims = index.reconstruct_batch(rows) @ query[0] if len(rows) else np.zeros(0, np.float32)
        top = np.lexsort((rows, -sims))[:k]
        pad = k - len(top)
        return (
            np.concatenate([sims[top], np.full(pad, -np.inf, np.float32)]).astype(np.float32),
            np.concatenate([rows[top], np.full(pad, -1, np.int64)]).astype(np.int64),
        )
    params = None
    if rows is not None:
        selector = faiss.IDSelectorBatch(rows.astype(np.int64))  # kept alive for the search
        if hasattr(index, "hnsw"):  # HNSW takes its own parameters only (and keeps its efSearch)
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=index.hnsw.efSearch)
        else:
            params = faiss.SearchParameters(sel=selector)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        sims, found = index.search(query, k, params=params)
    finally:
        faiss.omp_set_num_threads(threads)
    return sims[0], found[0]
