"""BM25 rebuild in an update: bm25s's own build (token lists per chunk) against the numpy matrix.

Every ``qa index`` that changes anything rebuilds BM25 over all chunks (its statistics are
global); at 100,000 chunks that was the largest single cost of adding one article. This times
both ways on the same token table, in the same run, and checks that they give the same matrix.

    .venv/bin/python bench/update_speed.py --table INDEX/VERSION/lexical   # a saved token table
    .venv/bin/python bench/update_speed.py --chunks 100000                 # a synthetic one
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.chunk_tokens import TokenTable
from qa.lexical import BM25_B, BM25_K1, LexicalIndex


def synthetic(chunks: int, seed: int = 7) -> TokenTable:
    """Zipf-like words, 40-70 tokens a chunk: about what 560-character Indonesian passages give."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(40, 70, chunks)
    ids = (rng.zipf(1.3, int(lengths.sum())) % 60_000).astype(np.int32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    used = np.unique(ids)
    remap = np.zeros(60_000, np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return TokenTable(tuple(f"w{i}" for i in range(len(used))), remap[ids], offsets)


def bm25s_way(table: TokenTable):
    """What write_version did before: lists of ids per chunk, then bm25s's ``index``."""
    import bm25s
    from bm25s.tokenization import Tokenized

    rows = [row.tolist() for row in table.rows()]
    bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    words = {w: i for i, w in enumerate(table.vocab)}
    bm25.index(Tokenized(ids=rows, vocab=words), show_progress=False)
    return bm25


def numpy_way(table: TokenTable):
    return LexicalIndex.from_token_ids(table.ids, table.offsets, table.vocab)._bm25


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--table", type=Path, help="a version's lexical/ folder")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table = TokenTable.load(args.table) if args.table else synthetic(args.chunks)
    if table is None:
        sys.exit(f"no token table of this tokenizer in {args.table}")
    random.seed(0)
    times: dict[str, list[float]] = {"bm25s": [], "numpy": []}
    built = {}
    for _ in range(args.repeat):
        for name, way in (("bm25s", bm25s_way), ("numpy", numpy_way)):
            started = time.perf_counter()
            built[name] = way(table)
            times[name].append(time.perf_counter() - started)
    same = all(
        np.array_equal(built["bm25s"].scores[k], built["numpy"].scores[k])
        for k in ("data", "indices", "indptr")
    )
    old, new = statistics.median(times["bm25s"]), statistics.median(times["numpy"])
    print(f"{len(table):,} chunks, {len(table.ids):,} tokens, {len(table.vocab):,} words")
    print(f"{'BM25 rebuild':24} {'bm25s':>10} {'numpy':>10} {'faster':>8}")
    label = f"median of {args.repeat} (s)"
    print(f"{label:24} {old:>10.2f} {new:>10.2f} {old / new:>7.1f}x")
    print(f"same matrix bit for bit: {same}")


if __name__ == "__main__":
    main()
