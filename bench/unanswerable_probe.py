"""Unanswerable probe: ask facqa questions with each question's own article hidden.

    awk 'NR%13==7' ../shared/facqa-dev/questions.jsonl > /tmp/B122.jsonl
    .venv/bin/python bench/unanswerable_probe.py /tmp/B122.jsonl --out /tmp/probe.jsonl \
        --index bench/out/large-index --seeds ../shared/facqa-dev/articles

facqa has no unanswerable questions; hiding the gold article (its chunks score 0) leaves most
of them without an answer in the corpus, so the share refused measures how often the grounding
checks stop a guess (bench/QUALITY.md rows 24b, 34, 40). Prints the count refused and how many
answers still hold the gold span (found in another article); writes one JSON line per question.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import load_settings
from qa.engine import Engine
from qa.evaluation import load_items
from qa.retrieval import Retriever


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--index", type=Path, default=Path("bench/out/large-index"))
    parser.add_argument("--seeds", type=Path, default=Path("../shared/facqa-dev/articles"))
    args = parser.parse_args()

    hidden: dict[str, str | None] = {"doc": None}
    fuse = Retriever.fuse

    def fuse_without_hidden(self: Retriever, lexical: np.ndarray, dense: np.ndarray) -> np.ndarray:
        fused = np.array(fuse(self, lexical, dense), copy=True)
        for i, chunk in enumerate(self.index.chunks):
            if chunk.doc == hidden["doc"]:
                fused[i] = 0.0
        return fused

    Retriever.fuse = fuse_without_hidden  # type: ignore[method-assign]
    engine = Engine(load_settings(index_dir=args.index, seeds_dir=args.seeds))
    asked = refused = with_gold = 0
    with args.out.open("w", encoding="utf-8") as out:
        for item in load_items(args.file):
            hidden["doc"] = item.doc
            answer = engine.answer(item.question)
            gold = any(a.casefold() in answer.answer.casefold() for a in item.answers)
            asked, refused = asked + 1, refused + answer.refused
            with_gold += gold and not answer.refused
            row = {"id": item.id, "refused": answer.refused, "gold_span": gold}
            out.write(json.dumps({**row, "answer": answer.answer}, ensure_ascii=False) + "\n")
    print(f"{refused}/{asked} refused; {with_gold} answered with a gold span from another article")


if __name__ == "__main__":
    main()
