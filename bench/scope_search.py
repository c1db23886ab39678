"""Scoped search time against unscoped search and against filtering after scoring everything.

    .venv/bin/python bench/scope_search.py                 # 100,000 passages, about 2 minutes
    .venv/bin/python bench/scope_search.py --n 20000 --queries 50

A synthetic archive as bench/search_speed.py builds it (sentences of ../shared/facqa-dev
recombined, real BM25, "clustered" 384-d vectors, exact FAISS), cut into articles of 10 passages.
Scopes: one article (``--doc``), 1% and 50% of the articles (a date range). For each, per
question (p50/p95 ms): the search unscoped, the scoped search (``Retriever.search(rows=...)``:
BM25 postings filtered by binary search, FAISS over the scope's vectors) and the obvious other
way, scoring every chunk then masking the scope out ("filter after"), and how many scoped top 5s
equal the exact one (every scope chunk scored, fused, sorted).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_speed import ARTICLES, QueryEmbedder, passages, sentences, timed, vectors
from qa.chunking import Chunk
from qa.dense_index import build_dense_index
from qa.lexical import LexicalIndex
from qa.retrieval import Retriever, fuse_scores
from qa.store import Index, Manifest

PER_ARTICLE = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="passages in the archive")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    pool = sentences(ARTICLES)
    started = time.perf_counter()
    texts = passages(pool, args.n, args.seed)
    lexical = LexicalIndex.build(texts)
    rng = np.random.default_rng(args.seed)
    vecs = vectors("clustered", args.n, None, rng)
    dense = build_dense_index(vecs, threshold=args.n + 1)
    queries = [" ".join(s.split()[:8]) for s in random.Random(args.seed).sample(pool, args.queries)]
    embedder = QueryEmbedder(
        dict(zip(queries, vectors("clustered", len(queries), None, rng), strict=True))
    )
    chunks = tuple(Chunk(f"d{i // PER_ARTICLE}", "t", i, 0, len(t), t) for i, t in enumerate(texts))
    manifest = Manifest(embedder="bench", dim=vecs.shape[1], chunking={}, docs={})
    retriever = Retriever(Index(Path("."), manifest, chunks, dense, lexical), embedder, 0.3)
    print(f"N={args.n:,} passages in {args.n // PER_ARTICLE:,} articles, {len(queries)} queries")
    print(f"built in {time.perf_counter() - started:.0f}s\n")

    articles = args.n // PER_ARTICLE
    picker = random.Random(args.seed + 1)
    scopes = {
        "one article": [picker.randrange(articles)],
        "1% of articles": sorted(picker.sample(range(articles), max(1, articles // 100))),
        "50% of articles": sorted(picker.sample(range(articles), articles // 2)),
    }
    print(f"{'ms per query':<16}{'p50':>10}{'p95':>10}")
    p50, p95 = timed(lambda q: retriever.search(q, 5), queries)
    print(f"{'unscoped':<16}{p50:>10.2f}{p95:>10.2f}\n")
    print(
        f"{'scope':<16}{'rows':>8}  {'scoped p50':>11}{'p95':>8}  "
        f"{'filter-after p50':>17}{'p95':>8}  {'top 5 exact':>12}"
    )
    for name, docs in scopes.items():
        rows = np.sort(
            np.concatenate([np.arange(d * PER_ARTICLE, (d + 1) * PER_ARTICLE) for d in docs])
        ).astype(np.int64)
        mask = np.zeros(args.n, dtype=bool)
        mask[rows] = True

        def filter_after(q: str, mask: np.ndarray = mask) -> list[int]:
            fused = fuse_scores(lexical.scores(q), vecs @ embedder.vectors[q], 0.3)
            fused[~mask] = -1.0
            return np.argsort(-fused, kind="stable")[:5].tolist()

        def exact(q: str, rows: np.ndarray = rows) -> list[int]:
            fused = retriever.scores(q, rows)
            order = np.lexsort((rows, -fused))[:5]
            return [int(rows[j]) for j in order if fused[j] > 0]

        scoped = timed(lambda q, rows=rows: retriever.search(q, 5, rows), queries)
        after = timed(filter_after, queries)
        same = sum(
            [h.chunk.ordinal for h in retriever.search(q, 5, rows) if h.score > 0] == exact(q)
            for q in queries
        )
        print(
            f"{name:<16}{len(rows):>8}  {scoped[0]:>11.2f}{scoped[1]:>8.2f}  "
            f"{after[0]:>17.2f}{after[1]:>8.2f}  {same:>8}/{len(queries)}"
        )


if __name__ == "__main__":
    main()
