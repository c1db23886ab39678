"""Record answers once with the model, then replay them through the answer checks without it: a
change to the checks is measured on every recorded question in seconds.

    .venv/bin/python bench/answer_replay.py record QUESTIONS.jsonl --out REC.jsonl \\
        --index bench/out/large-index --seeds ../shared/facqa-dev/articles
    .venv/bin/python bench/answer_replay.py replay REC.jsonl --index bench/out/large-index
    .venv/bin/python bench/answer_replay.py replay REC.jsonl --off rewrite.dates --off refuse.shape
    .venv/bin/python bench/answer_replay.py replay REC.jsonl --per-check
    .venv/bin/python bench/answer_replay.py synth QUESTIONS.jsonl --out SYN.jsonl --index IDX

`record` asks each single-turn question through `Engine.ask` and writes one JSON line per
question: the model's final try as written (`AnswerStream.written`), the passages it read, the
final answer and its score; it resumes where an earlier run of the same file stopped. `replay`
feeds each recorded text back to an `AnswerStream` over the recorded passages (with the checks
named by `--off` switched off) and prints every answer that changes, then the counts gained and
lost and, per check, how often it fired. `--per-check` replays once more per check with only
that check off and prints how the score moves without it. Retrieval-mode Indonesian questions
replay exactly; English ones read a translation, which is not recorded, so they are skipped. A
second try is not replayed: its text is recorded as the final try, and only the checking after
it is.

`synth` writes rows in `record`'s format without the model: for each question with a gold
answer and article, a few written texts made from them by fixed rules (the gold answer cited,
its sentence cited right and wrong, the question said back, a refusal, ...), over the passages
of its article and the next one, answered by the checks of the code it runs with; with `--wrong`,
also a wrong answer (the previous question's gold answer, cited), which counts as right only
when refused, so a refusal check's cost (right answers refused) and gain (wrong ones stopped)
both show in `--per-check`. Run with an
older checkout first and replayed with the current one, it shows whether a change to the
checks changed any answer, on inputs that reach every check, when no model is at hand.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import load_settings
from qa.engine import AnswerStream, Engine
from qa.evaluation import EvalItem, is_correct, load_items
from qa.prompting import REFUSAL, Passage, merge_spans, tile_chunks


def _engine(args: argparse.Namespace) -> Engine:
    return Engine(load_settings(index_dir=args.index, seeds_dir=args.seeds))


def _share(args: argparse.Namespace) -> Any:
    """How much of the corpus mentions a word, from the index (as `Engine.ask` gives it)."""
    return _engine(args).index.lexical.share if args.index else None


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
                "whole_corpus": engine.whole_corpus(),
                "checks": [c.as_json() for c in getattr(answer, "checks", ())],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()


def _answer(row: dict[str, Any], share: Any, off: Collection[str] = ()) -> Any:
    """The recorded text through the checks, as `Engine.ask` would have checked it."""
    passages = [Passage(**p) for p in row["passages"]]
    extra = {"disabled_checks": frozenset(off)} if off else {}
    stream = AnswerStream(
        row["question"], "id", passages, passages[:3], iter([row["written"]]), "replay",
        time.perf_counter(), 0.0, corpus_share=share,
        whole_corpus=row.get("whole_corpus", False), **extra,
    )  # fmt: skip
    return stream.answer


def _item(row: dict[str, Any]) -> EvalItem:
    return EvalItem(row["id"], (row["question"],), tuple(row["gold"]), row["unanswerable"])


def _quotes(answer: Any) -> list[list[Any]]:
    return [[s.n, s.cited, s.quote_start, s.quote_end] for s in answer.sources]


def replay(args: argparse.Namespace) -> None:
    share = _share(args)
    rows = [json.loads(line) for line in args.file.read_text().splitlines() if line]
    rows = [r for r in rows if r["language"] == "id"]
    changed = gained = lost = 0
    fired: Counter[str] = Counter()  # answers each check changed
    baseline: dict[str, bool] = {}
    for row in rows:
        answer = _answer(row, share, args.off)
        fired.update({c.name for c in answer.checks})
        correct = is_correct(_item(row), answer.answer, answer.refused)
        baseline[row["id"]] = correct
        same_sources = "sources" not in row or row["sources"] == _quotes(answer)
        if answer.answer == row["answer"] and correct == row["correct"] and same_sources:
            continue
        changed += 1
        gained += correct and not row["correct"]
        lost += row["correct"] and not correct
        mark = "GAINED" if correct > row["correct"] else "LOST" if correct < row["correct"] else ""
        print(f"{mark:6} {row['id']}: {row['answer']}\n       -> {answer.answer}")
    right = sum(baseline.values())
    off = f" with {', '.join(args.off)} off" if args.off else ""
    print(
        f"{len(rows)} Indonesian answers replayed{off}: {changed} changed "
        f"({gained} gained, {lost} lost); {right}/{len(rows)} correct"
    )
    print(f"\n{'check':32} {'fired':>6}")
    for name, count in sorted(fired.items(), key=lambda x: -x[1]):
        print(f"{name:32} {count:6}")
    if args.per_check:
        _per_check(rows, share, args.off, baseline, fired)


def _per_check(
    rows: list[dict[str, Any]],
    share: Any,
    off: Collection[str],
    baseline: dict[str, bool],
    fired: Counter[str],
) -> None:
    from qa.checks import ORDER

    right = sum(baseline.values())
    print(f"\n{'without':32} {'fired':>6} {'correct':>8} {'moved':>6} {'gained':>6} {'lost':>5}")
    for check in ORDER:
        if check.phase == "retry":  # a second try is the model's: replay cannot make one
            print(f"{check.name:32} {'(needs the model: record with it off)':>36}")
            continue
        if check.name in off:
            continue
        won = dropped = 0
        for row in rows:
            answer = _answer(row, share, {*off, check.name})
            correct = is_correct(_item(row), answer.answer, answer.refused)
            was = baseline[row["id"]]
            won += correct and not was
            dropped += was and not correct
        count = right + won - dropped
        print(
            f"{check.name:32} {fired[check.name]:6} {count:8} {count - right:+6} {won:6} "
            f"{dropped:5}",
            flush=True,
        )


def _written_texts(question: str, gold: str, passages: list[Passage]) -> Iterator[str]:
    """Answers a model could write, by fixed rules from the question, its gold answer and the
    passages: cited and not, its sentence cited right and wrong, the question said back, a
    refusal, a date added. (A wrong answer, another question's gold, is added by ``synth``.)"""
    from qa.chunking import sentence_spans

    yield f"{gold} [1]."
    yield f"{gold}."
    yield question.rstrip(" ?") + "."
    yield REFUSAL["id"]
    yield f"Pada tahun 2005, {gold} [1]."
    for p in passages:
        at = p.text.find(gold)
        if at < 0:
            continue
        for span in sentence_spans(p.text):
            if span.start <= at < span.end:
                sentence = p.text[span.start : span.end].strip().rstrip(".")
                yield f"{sentence} [{p.n}]."
                yield f"{sentence} [{p.n % len(passages) + 1}]."
                return


def synth(args: argparse.Namespace) -> None:
    engine = _engine(args)
    share = engine.index.lexical.share
    chunks = engine.index.chunks
    docs = sorted({c.doc for c in chunks})
    written = 0
    other = ""  # the previous question's gold answer: a wrong answer to this one
    with args.out.open("w", encoding="utf-8") as out:
        for item in load_items(args.file):
            if len(item.turns) > 1 or item.lang != "id" or not item.answers:
                continue
            wrong, other = other, item.answers[0]
            if args.whole_corpus:
                passages = tile_chunks(chunks)
            else:
                if item.doc not in docs:
                    continue
                near = {item.doc: 1.0, docs[(docs.index(item.doc) + 1) % len(docs)]: 0.5}
                passages = merge_spans((c, near[c.doc]) for c in chunks if c.doc in near)
            texts = list(_written_texts(item.question, item.answers[0], passages))
            # With --wrong, another question's answer, cited: right when it is refused.
            guesses = [f"{wrong} [1].", f"{wrong}."] if args.wrong and wrong else []
            for n, text in enumerate([*texts, *guesses]):
                guess = n >= len(texts)
                row: dict[str, Any] = {
                    "id": f"{item.id}.{n}",
                    "question": item.question,
                    "gold": list(item.answers),
                    "unanswerable": item.unanswerable or guess,
                    "language": "id",
                    "written": text,
                    "passages": [asdict(p) for p in passages],
                    "whole_corpus": args.whole_corpus,
                }
                answer = _answer(row, share)
                row |= {
                    "answer": answer.answer,
                    "refused": answer.refused,
                    "correct": is_correct(_item(row), answer.answer, answer.refused),
                    "sources": _quotes(answer),
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
    print(f"{written} answers written to {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record")
    rec.add_argument("file", type=Path, help="questions, in `qa eval`'s format")
    rec.add_argument("--out", type=Path, required=True)
    rep = commands.add_parser("replay")
    rep.add_argument("file", type=Path, help="what `record` or `synth` wrote")
    rep.add_argument("--off", action="append", default=[], metavar="NAME", help="a check to skip")
    rep.add_argument("--per-check", action="store_true", help="the score without each check")
    syn = commands.add_parser("synth")
    syn.add_argument("file", type=Path, help="questions with gold answers and articles")
    syn.add_argument("--out", type=Path, required=True)
    syn.add_argument("--whole-corpus", action="store_true", help="every passage (a small archive)")
    syn.add_argument(
        "--wrong",
        action="store_true",
        help="add wrong answers (the previous question's gold, cited), right only when refused",
    )
    for sub in (rec, rep, syn):
        sub.add_argument("--index", type=Path, default=Path("bench/out/large-index"))
        sub.add_argument("--seeds", type=Path, default=Path("../shared/facqa-dev/articles"))
    args = parser.parse_args()
    {"record": record, "replay": replay, "synth": synth}[args.command](args)


if __name__ == "__main__":
    main()
