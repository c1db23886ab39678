"""How far ranking could take recall@k: the misses of the fused retrieval sorted by kind.

    .venv/bin/qa index --no-prefill --seeds ../shared/facqa-dev/articles \
        --index bench/out/facqa-index
    .venv/bin/python bench/recall_misses.py --index bench/out/facqa-index \
        ../shared/facqa-dev/questions.jsonl

Prints recall@k, the count of each kind of miss (``bench.recall.miss_kinds``) and the recall@k a
ranking would reach that won every miss whose gold chunk shares a distinctive term with the
question; ``--show KIND`` lists the questions of one kind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.recall import MISS_KINDS, answer_chunks, gold_chunks, miss_kinds, question_scores
from qa.config import load_settings
from qa.engine import Engine
from qa.evaluation import load_items
from qa.lexical import tokenize


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--index", type=Path, default=Path("indexes"))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--show", choices=MISS_KINDS)
    args = parser.parse_args()

    engine = Engine(load_settings(index_dir=args.index))
    retriever = engine.retriever
    chunks = retriever.index.chunks
    items = [i for i in load_items(args.file) if not i.unanswerable and (i.doc or i.evidence)]
    lexical, dense = question_scores(engine, [i.question for i in items])
    fused = np.stack([retriever.fuse(lexical[i], dense[i]) for i in range(len(items))])
    kinds = miss_kinds(
        fused,
        gold_chunks(items, chunks),
        answer_chunks(items, chunks),
        [set(tokenize(i.question)) for i in items],
        [set(tokenize(c.text)) for c in chunks],
        args.k,
    )
    misses = sum(len(v) for v in kinds.values())
    n = len(items)
    print(f"{n} questions, {len(chunks)} chunks: recall@{args.k} {1 - misses / n:.4f}")
    print(f"{misses} misses:")
    for kind in MISS_KINDS:
        print(f"  {kind:<18} {len(kinds[kind]):4d}")
    won = misses - len(kinds["distinctive word"])
    print(f"recall@{args.k} with every distinctive-word miss won: {1 - won / n:.4f}")
    for qi in kinds.get(args.show, []) if args.show else []:
        print(f"{items[qi].id}  {items[qi].question}")


if __name__ == "__main__":
    main()
