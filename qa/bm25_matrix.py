"""bm25s's score matrix computed from flat token-id arrays with numpy.

bm25s builds its matrix by walking a Python list of token ids per chunk (a ``Counter`` each):
at 100,000 chunks that, and turning the saved token table into those lists, is 4-7 s of every
``qa index`` that adds one article (bench/update_speed.py). The same matrix falls out of a few
array operations on the token table as saved. The arithmetic is bm25s's own, term by term and in
the same dtypes, so the matrix is bit for bit bm25s's (tests/test_bm25_matrix.py); searching stays
bm25s's.
"""

from __future__ import annotations

import math

import numpy as np


def lucene_idf(df: int, n_docs: int) -> float:
    """bm25s's ``_score_idf_lucene``, in Python floats as bm25s computes it."""
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_matrix(
    ids: np.ndarray, offsets: np.ndarray, n_vocab: int, k1: float, b: float
) -> dict[str, object]:
    """The ``scores`` dict bm25s keeps (CSC: a column per term, rows ascending) for the chunks
    whose token ids are ``ids[offsets[i]:offsets[i + 1]]``, BM25 with Lucene's idf."""
    n_docs = len(offsets) - 1
    lengths = np.diff(offsets).astype(np.int64)
    avg_len = lengths.mean()
    docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    keys, tf = np.unique(ids.astype(np.int64) * n_docs + docs, return_counts=True)
    cols, rows = np.divmod(keys, n_docs)
    df = np.bincount(cols, minlength=n_vocab)
    idf = np.zeros(n_vocab, dtype=np.float32)
    values, where = np.unique(df, return_inverse=True)
    per_value = np.array([lucene_idf(int(v), n_docs) if v else 0.0 for v in values])
    idf[:] = per_value[where]
    tf = tf.astype(np.float32)
    tfc = tf / (k1 * ((1 - b) + b * lengths[rows] / avg_len) + tf)
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    return {
        "data": (idf[cols] * tfc).astype(np.float32),
        "indices": rows.astype(np.int32),
        "indptr": indptr,
        "num_docs": n_docs,
    }
