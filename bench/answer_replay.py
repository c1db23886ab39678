"""Record answers once with the model, then replay them through the answer rewrites and grounding
checks without it: a change to those is measured on every recorded question in seconds.

    .venv/bin/python bench/answer_replay.py record QUESTIONS.jsonl --out REC.jsonl \\
        --index bench/out/large-index --seeds ../shared/facqa-dev/articles
    .venv/bin/python bench/answer_replay.py replay REC.jsonl --index bench/out/large-index

`record` asks each single-turn question through `Engine.ask` and writes one JSON line per
question: the model's final try as written (`AnswerStream.written`), the passages it read, the
final answer and its score; it resumes where an earlier run of the same file stopped. `replay`
feeds each recorded text back to an `AnswerStream` over the recorded passages and prints every
answer that changes, then the counts gained and lost. Retrieval-mode Indonesian questions replay
exactly; English ones read a translation, which is not recorded, so they are skipped. A second
try is not replayed: its text is recorded as the final try, and only the rewriting after it is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import load_settings
from qa.engine import AnswerStream, Engine
from qa.evaluation import EvalItem, is_correct, load_items
from qa.prompting import Passage


def _engine(args: argparse.Namespace) -> Engine:
    return Engine(load_settings(index_dir=args.index, seeds_dir=args.seeds))


def record(args: argparse.Namespace) -> None:
    engine = _engine(args)
    done: set[str] = set()
    if args.out.exists():
        done = {json.loads(line)["id"] for line in args.out.read_text().splitlines() if line}
    with args.out.open("a", encoding="utf-8") as out:
        for item in load_items(args.file):
            if item.id in done or len(item.turns) > 1:
                continue
            stream = engine.ask(item.question)
            answer = stream.answer
            row = {
                "id": item.id,
                "question": item.question,
                "gold": list(item.answers),
                "unanswerable": item.unanswerable,
                "language": answer.language,
                "written": stream.written,
                "answer": answer.answer,
                "refused": answer.refused,
                "correct": is_correct(item, answer.answer, answer.refused),
                "passages": [asdict(p) for p in stream.passages],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()


def replay(args: argparse.Namespace) -> None:
    share = _engine(args)._load().index.lexical.share
    rows = [json.loads(line) for line in args.file.read_text().splitlines() if line]
    changed = gained = lost = skipped = 0
    for row in rows:
        if row["language"] != "id":
            skipped += 1
            continue
        passages = [Passage(**p) for p in row["passages"]]
        stream = AnswerStream(
            row["question"], "id", passages, passages[:3], iter([row["written"]]), "replay",
            time.perf_counter(), 0.0, corpus_share=share,
        )  # fmt: skip
        answer = stream.answer
        item = EvalItem(row["id"], (row["question"],), tuple(row["gold"]), row["unanswerable"])
        correct = is_correct(item, answer.answer, answer.refused)
        if answer.answer == row["answer"] and correct == row["correct"]:
            continue
        changed += 1
        gained += correct and not row["correct"]
        lost += row["correct"] and not correct
        mark = "GAINED" if correct > row["correct"] else "LOST" if correct < row["correct"] else ""
        print(f"{mark:6} {row['id']}: {row['answer']}\n       -> {answer.answer}")
    print(
        f"{len(rows)} recorded, {skipped} skipped (not Indonesian); "
        f"{changed} answers changed: {gained} gained, {lost} lost"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record")
    rec.add_argument("file", type=Path, help="questions, in `qa eval`'s format")
    rec.add_argument("--out", type=Path, required=True)
    rep = commands.add_parser("replay")
    rep.add_argument("file", type=Path, help="what `record` wrote")
    for sub in (rec, rep):
        sub.add_argument("--index", type=Path, default=Path("bench/out/large-index"))
        sub.add_argument("--seeds", type=Path, default=Path("../shared/facqa-dev/articles"))
    args = parser.parse_args()
    record(args) if args.command == "record" else replay(args)


if __name__ == "__main__":
    main()
