"""Choose chunk size and overlap on data: retrieval recall@k for each pair, no model involved.

    .venv/bin/python bench/chunking_sweep.py --seeds seeds tests/eval/seed_qa.jsonl
    .venv/bin/python bench/chunking_sweep.py --seeds ../shared/facqa-dev/articles \
        ../shared/facqa-dev/questions.jsonl

Chunks the articles in memory for every (size, overlap) pair, builds the same BM25 index and
embeddings ``qa index`` would, and fuses them with the configured dense weight. Prints recall@1/3/5
(a chunk of the gold article that holds the item's evidence quote, where given), recall within a
character budget (so bigger chunks do not win by volume alone) and chunk counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.recall import gold_chunks, recall_at, recall_within
from qa.chunking import ChunkingParams, chunk_articles
from qa.config import load_settings
from qa.corpus import load_articles
from qa.embedding import make_embedder
from qa.evaluation import load_items
from qa.lexical import LexicalIndex
from qa.retrieval import fuse_scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--sizes", default="300,450,600,800,1000")
    parser.add_argument("--overlaps", default="0,60,120,200")
    parser.add_argument("--budgets", default="900,3000", help="characters of best chunks")
    args = parser.parse_args()

    settings = load_settings(seeds_dir=args.seeds)
    embedder = make_embedder(settings.embedder)
    articles = load_articles(args.seeds)
    items = [i for i in load_items(args.file) if not i.unanswerable and (i.doc or i.evidence)]
    queries = [i.question for i in items]
    query_vectors = embedder.embed(queries)
    print(f"{len(items)} questions, {len(articles)} articles, dense weight {settings.dense_weight}")
    budgets = [int(x) for x in args.budgets.split(",")]
    print(
        "size  overlap  chunks  mean chars  recall@1  recall@3  recall@5  "
        + "  ".join(f"in {b:<5}" for b in budgets)
        + "  seconds"
    )
    for size in (int(x) for x in args.sizes.split(",")):
        for overlap in (int(x) for x in args.overlaps.split(",")):
            if overlap >= size // 2:
                continue  # the product refuses such settings
            started = time.perf_counter()
            chunks = chunk_articles(articles, ChunkingParams(size, overlap))
            texts = [c.text for c in chunks]
            lexical = LexicalIndex.build(texts)
            dense = query_vectors @ embedder.embed(texts).T
            fused = np.stack(
                [
                    fuse_scores(lexical.scores(q), dense[i], settings.dense_weight)
                    for i, q in enumerate(queries)
                ]
            )
            gold = gold_chunks(items, chunks)
            recalls = recall_at(fused, gold, (1, 3, 5))
            recalls += [recall_within(fused, gold, list(map(len, texts)), b) for b in budgets]
            mean = sum(map(len, texts)) / len(texts)
            seconds = time.perf_counter() - started
            print(
                f"{size:<5} {overlap:<8} {len(chunks):<7} {mean:<11.0f} "
                + "  ".join(f"{r:8.3f}" for r in recalls)
                + f"  {seconds:7.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
