"""Choose the dense/lexical fusion weight on data: recall@k for a sweep of weights.

    .venv/bin/qa index --seeds ../shared/facqa-dev/articles --index /tmp/facqa-index
    .venv/bin/python bench/retrieval_sweep.py --index /tmp/facqa-index \
        ../shared/facqa-dev/questions.jsonl
    .venv/bin/python bench/retrieval_sweep.py --index indexes tests/eval/seed_qa.jsonl

Scores every chunk once per question (BM25 and cosine), then fuses them with each weight, so the
sweep costs one retrieval pass. Prints recall@1/3/5 per weight, and how often a top-5 chunk is
from the gold article or holds a gold answer (a diagnostic: misses that found the fact elsewhere).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.recall import answer_chunks, gold_chunks, question_scores, recall_at
from qa.config import load_settings
from qa.engine import Engine
from qa.evaluation import load_items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--index", type=Path, default=Path("indexes"))
    parser.add_argument("--weights", default="0,0.1,0.2,0.3,0.4,0.5,0.7,1")
    args = parser.parse_args()

    engine = Engine(load_settings(index_dir=args.index))
    retriever = engine.retriever
    chunks = retriever.index.chunks
    items = [i for i in load_items(args.file) if not i.unanswerable and (i.doc or i.evidence)]
    started = time.perf_counter()
    lexical, dense = question_scores(engine, [i.question for i in items])
    seconds = time.perf_counter() - started
    print(f"{len(items)} questions, {len(chunks)} chunks, scored in {seconds:.1f}s")
    gold = gold_chunks(items, chunks)
    # A diagnostic column: a top-5 chunk from the gold article or holding a gold answer.
    either = gold | answer_chunks(items, chunks)
    print("dense_weight  recall@1  recall@3  recall@5  gold-or-answer@5")
    for w in (float(x) for x in args.weights.split(",")):
        retriever.dense_weight = w
        fused = np.stack([retriever.fuse(lexical[i], dense[i]) for i in range(len(items))])
        recalls = [*recall_at(fused, gold, (1, 3, 5)), *recall_at(fused, either, (5,))]
        print(f"{w:<12}  " + "  ".join(f"{r:8.3f}" for r in recalls))


if __name__ == "__main__":
    main()
