"""Prompt budget: answer quality, prompt tokens and warm time to first token per passage budget.

Asks the same facqa probe questions under several retrieval-prompt budgets (``context_chars`` /
``other_passage_chars``), interleaved question by question (the order rotated) in one process so
machine load hits every variant alike. Questions come from one half of bench/facqa_split's rule
(``--half tuning`` to decide, ``--half heldout`` to check once). An answer is right when one of
the row's answers appears (casefolded) in it and it is not a refusal.

    PYTHONPATH=. python bench/prompt_budget.py --half tuning --n 60 \\
        --variants 900/300,700/250,600/200 --out /tmp/budget_tuning.jsonl
    python bench/prompt_budget.py --table /tmp/budget_tuning.jsonl   # the table again

Prints one table row per variant: right, refused, wrong, mean/median prompt tokens (all of it
and the part after the cached rules prefix) and median warm time to first token.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN_OUT = Path("/work/main/bench/out")


def _variants(spec: str) -> dict[str, dict[str, float]]:
    """ "900/300,600/200/0.7" -> each variant's name and its settings (context_chars /
    other_passage_chars [/ passage_floor])."""
    out: dict[str, dict[str, float]] = {}
    for part in spec.split(","):
        values = part.split("/")
        changes: dict[str, float] = {
            "context_chars": int(values[0]),
            "other_passage_chars": int(values[1]),
        }
        if len(values) > 2:
            changes["passage_floor"] = float(values[2])
        out[part] = changes
    return out


def _table(records: list[dict]) -> str:
    lines = [
        "| half | variant | n | right | refused | wrong | prompt tok mean | median "
        "| new tok mean | median | ttft p50 ms | ttft mean ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["half"], r["variant"]), []).append(r)
    for (half, variant), rs in sorted(
        groups.items(), key=lambda kv: (kv[0][0], -int(kv[0][1].split("/")[0]))
    ):
        n = len(rs)
        right = sum(r["right"] for r in rs)
        refused = sum(r["refused"] for r in rs)
        toks = [r["prompt_tokens"] for r in rs if r["prompt_tokens"] is not None]
        new = [r["new_tokens"] for r in rs if r["new_tokens"] is not None]
        ttft = [r["ttft_ms"] for r in rs if r["ttft_ms"] is not None]
        lines.append(
            f"| {half} | {variant} | {n} | {right} ({right / n:.0%}) | {refused} "
            f"| {n - right - refused} "
            f"| {statistics.mean(toks):.0f} | {statistics.median(toks):.0f} "
            f"| {statistics.mean(new):.0f} | {statistics.median(new):.0f} "
            f"| {statistics.median(ttft):.0f} | {statistics.mean(ttft):.0f} |"
        )
    return "\n".join(lines)


def _paired(records: list[dict], base: str) -> str:
    """Per other variant: questions right under it only, and under the base only."""
    by_q: dict[str, dict[str, dict]] = {}
    for r in records:
        by_q.setdefault(r["id"], {})[r["variant"]] = r
    variants = sorted({r["variant"] for r in records} - {base})
    out = []
    for v in variants:
        gained = [
            q for q, d in by_q.items() if v in d and base in d and d[v]["right"] > d[base]["right"]
        ]
        lost = [
            q for q, d in by_q.items() if v in d and base in d and d[v]["right"] < d[base]["right"]
        ]
        out.append(
            f"{v} vs {base}: right only under {v}: {len(gained)} {gained}; "
            f"only under {base}: {len(lost)} {lost}"
        )
    return "\n".join(out)


class _Captured(Exception):
    pass


def _dry(engine, rows, settings, prefix, half, out_path) -> None:  # type: ignore[no-untyped-def]
    """Each variant's prompt, captured as generation starts and then abandoned: its tokens and
    whether a gold answer is in its passages (a bound on what the model can answer from)."""
    generator = engine.generator
    prefix_tokens = generator.count_tokens(prefix)
    prompts: list[str] = []

    def stream(prompt: str, max_tokens: int):  # type: ignore[no-untyped-def]
        prompts.append(prompt)
        raise _Captured

    generator.stream = stream  # type: ignore[method-assign]
    records = []
    for row in rows:
        for name, s in settings.items():
            engine.settings = s
            prompts.clear()
            with contextlib.suppress(_Captured):
                engine.answer(row["question"])
            if not prompts:
                continue
            prompt = prompts[0]
            passages = prompt[: prompt.rfind("<|im_start|>user")].casefold()
            tokens = generator.count_tokens(prompt)
            records.append(
                {
                    "id": row["id"],
                    "half": half,
                    "variant": name,
                    "in_prompt": int(any(a.casefold() in passages for a in row["answers"])),
                    "prompt_tokens": tokens,
                    "new_tokens": tokens - prefix_tokens,
                }
            )
    if out_path:
        with out_path.open("a", encoding="utf-8") as out:
            out.writelines(json.dumps(r) + "\n" for r in records)
    print(_dry_table(records))


def _dry_table(records: list[dict]) -> str:
    lines = [
        "| half | variant | n | answer in prompt | prompt tok mean | median "
        "| new tok mean | median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["half"], r["variant"]), []).append(r)
    for (half, variant), rs in groups.items():
        n = len(rs)
        found = sum(r["in_prompt"] for r in rs)
        toks = [r["prompt_tokens"] for r in rs]
        new = [r["new_tokens"] for r in rs]
        lines.append(
            f"| {half} | {variant} | {n} | {found} ({found / n:.0%}) "
            f"| {statistics.mean(toks):.0f} | {statistics.median(toks):.0f} "
            f"| {statistics.mean(new):.0f} | {statistics.median(new):.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["tuning", "heldout"])
    parser.add_argument("--n", type=int, default=60, help="questions (the half's first n)")
    parser.add_argument("--start", type=int, default=0, help="skip the half's first this many")
    parser.add_argument("--variants", default="900/300,700/250,600/200")
    parser.add_argument("--index", type=Path, default=MAIN_OUT / "idx10k")
    parser.add_argument("--seeds", type=Path, default=MAIN_OUT / "archive/n10000/seeds")
    parser.add_argument("--probes", type=Path, default=MAIN_OUT / "archive/n10000/probes.jsonl")
    parser.add_argument("--out", type=Path, help="one JSON line per answer (appended)")
    parser.add_argument("--table", type=Path, nargs="*", help="only print the table of these files")
    parser.add_argument(
        "--dry",
        action="store_true",
        help="no answers: only each prompt's tokens and whether its passages hold an answer",
    )
    parser.add_argument("--base", default="900/300", help="variant the others are paired against")
    args = parser.parse_args()
    if args.table:
        records = [json.loads(x) for p in args.table for x in p.read_text().splitlines() if x]
        print(_table(records))
        print(_paired(records, args.base))
        return
    if not args.half:
        parser.error("--half is required unless --table")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT))
    from bench.facqa_split import held_out
    from qa.config import load_settings
    from qa.engine import Engine
    from qa.prompting import rules_prefix

    rows = [json.loads(x) for x in args.probes.read_text(encoding="utf-8").splitlines() if x]
    rows = [r for r in rows if ("heldout" if held_out(r["doc"]) else "tuning") == args.half]
    rows = rows[args.start : args.start + args.n]
    variants = _variants(args.variants)
    base = load_settings(index_dir=args.index, seeds_dir=args.seeds, model="default")
    settings = {name: dataclasses.replace(base, **changes) for name, changes in variants.items()}
    engine = Engine(base)
    if args.dry:
        _dry(engine, rows, settings, rules_prefix(), args.half, args.out)
        return
    engine.warm_up()
    generator = engine.generator
    prefix_ids = generator.tokenize(rules_prefix())
    prefix_tokens = len(prefix_ids)
    llm = generator.load()

    def forget_last_prompt() -> None:
        # Each variant must prefill its own question-specific tokens, as a new question does:
        # the KV cache keeps only the cached rules prefix, not the previous variant's prompt
        # (which starts with the same passage and would be reused by llama.cpp's prefix match).
        n = prefix_tokens
        if llm.n_tokens >= n and llm.input_ids[:n].tolist() == prefix_ids:
            llm.n_tokens = n

    prompts: list[str] = []
    inner = generator.stream

    def stream(prompt: str, max_tokens: int):  # type: ignore[no-untyped-def]
        prompts.append(prompt)
        return inner(prompt, max_tokens)

    generator.stream = stream  # type: ignore[method-assign]
    names = list(settings)
    engine.answer(rows[0]["question"])  # the first answer after loading is slower: not counted
    records = []
    out = args.out.open("a", encoding="utf-8") if args.out else None
    started = time.perf_counter()
    for i, row in enumerate(rows):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            engine.settings = settings[name]
            prompts.clear()
            forget_last_prompt()
            a = engine.answer(row["question"])
            prompt = prompts[0] if prompts else None
            tokens = generator.count_tokens(prompt) if prompt is not None else None
            answers = [x.casefold() for x in row["answers"]]
            right = (not a.refused) and any(x in a.answer.casefold() for x in answers)
            rec = {
                "id": row["id"],
                "half": args.half,
                "variant": name,
                "right": int(right),
                "refused": int(a.refused),
                "prompt_tokens": tokens,
                "new_tokens": None if tokens is None else tokens - prefix_tokens,
                "ttft_ms": a.timings.ttft_ms,
                "answer": a.answer,
                "gold": row["answers"],
            }
            records.append(rec)
            if out:
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                out.flush()
        print(
            f"[{i + 1}/{len(rows)} {time.perf_counter() - started:.0f}s] {row['id']}: "
            + " ".join(
                f"{r['variant']}={'R' if r['right'] else 'x' if r['refused'] else '-'}"
                f"/{r['new_tokens']}t/{r['ttft_ms']:.0f}ms"
                for r in records[-len(order) :]
            ),
            file=sys.stderr,
            flush=True,
        )
    print(_table(records))
    print(_paired(records, args.base))


if __name__ == "__main__":
    main()
