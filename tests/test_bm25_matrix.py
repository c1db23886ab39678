"""The numpy BM25 matrix is bm25s's own, bit for bit, so search results cannot move."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest
from bm25s.tokenization import Tokenized

from qa.chunk_tokens import TokenTable
from qa.lexical import BM25_B, BM25_K1, LexicalIndex, chunk_tokens

TEXTS = [
    "Presiden Vladimir Putin tiba di Pyongyang untuk kunjungan pertamanya sejak tahun 2000.",
    "Kim Jong Un menyambut Putin di bandara; kedua pemimpin menandatangani perjanjian baru.",
    "Amerika Serikat dan Korea Selatan mengecam kerja sama militer Rusia dan Korea Utara.",
    "Sanksi harus segera diterapkan, kata Easley, sehingga visi hubungan Putin-Kim gagal.",
    "",
    "Putin Putin Putin Pyongyang.",
]


def _bm25s_build(rows: list[list[int]], vocab: tuple[str, ...]) -> bm25s.BM25:
    bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    bm25.index(Tokenized(ids=rows, vocab={w: i for i, w in enumerate(vocab)}), show_progress=False)
    return bm25


def _random_table(seed: int) -> TokenTable:
    rng = random.Random(seed)
    words = [f"kata{i}" for i in range(rng.randint(5, 300))]
    rows = [[rng.choice(words) for _ in range(rng.randint(0, 80))] for _ in range(200)]
    return TokenTable.from_rows(rows)


@pytest.mark.parametrize(
    "table",
    [TokenTable.from_rows(chunk_tokens(t) for t in TEXTS)] + [_random_table(s) for s in range(5)],
)
def test_matrix_is_bm25s_own(table: TokenTable) -> None:
    ours = LexicalIndex.from_token_ids(table.ids, table.offsets, table.vocab)._bm25
    theirs = _bm25s_build([r.tolist() for r in table.rows()], table.vocab)
    for key in ("data", "indices", "indptr"):
        a, b = ours.scores[key], theirs.scores[key]
        assert a.dtype == b.dtype, key
        np.testing.assert_array_equal(a, b, err_msg=key)
    assert ours.scores["num_docs"] == theirs.scores["num_docs"]
    assert ours.vocab_dict == theirs.vocab_dict


def test_scores_and_saved_index_agree(tmp_path) -> None:
    table = TokenTable.from_rows(chunk_tokens(t) for t in TEXTS)
    ours = LexicalIndex.from_token_ids(table.ids, table.offsets, table.vocab)
    built = LexicalIndex.build(TEXTS)
    for query in ("Putin di Pyongyang", "sanksi Easley", "tidak ada"):
        np.testing.assert_array_equal(ours.scores(query), built.scores(query))
    ours.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    np.testing.assert_array_equal(again.scores("Putin Kim"), built.scores("Putin Kim"))
    assert again.size == len(TEXTS)
