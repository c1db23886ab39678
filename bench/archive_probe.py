"""Retrieval and warm-answer figures of one index, for bench/archive.py (prints one JSON line).

Run with PYTHONPATH pointing at the code under test (this checkout or a baseline worktree), so
the same probe measures today's code and the previous one. Only public-enough entry points that
both have are used: ``load_settings``, ``Engine`` and its loaded retriever.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


def _halves() -> dict[str, str]:
    """Question id -> "tuning" or "heldout" by bench/facqa_split's rule on its facqa article."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.facqa_split import held_out

    questions = Path(__file__).resolve().parents[2] / "shared" / "facqa-dev" / "questions.jsonl"
    out = {}
    for line in questions.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[row["id"]] = "heldout" if held_out(row["doc"]) else "tuning"
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--probes", type=Path, required=True)
    parser.add_argument("--ask", type=int, default=0, help="warm answers to time (0: none)")
    parser.add_argument("--model", default="default")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from qa.config import load_settings
    from qa.engine import Engine

    rows = [json.loads(x) for x in args.probes.read_text(encoding="utf-8").splitlines() if x]
    engine = Engine(load_settings(index_dir=args.index, seeds_dir=args.seeds, model=args.model))
    started = time.perf_counter()
    # The retriever the engine uses (the baseline's engine keeps it in its loaded state only).
    retriever = getattr(engine, "retriever", None) or engine._load().retriever
    load_s = time.perf_counter() - started
    retriever.search(rows[0]["question"], 5)  # first query pays for lazy imports
    times = []
    # Recall by article (the probe's own) and by answer (a top-5 passage holds an answer), over
    # all probes and each half of bench/facqa_split's rule; with copies skipped (qa.copies,
    # where the code has it) and kept.
    found: dict[str, list[int]] = {}
    halves = _halves()
    copies_rule = hasattr(retriever, "skip_copies")
    for row in rows:
        t = time.perf_counter()
        hits = retriever.search(row["question"], 5)
        times.append((time.perf_counter() - t) * 1000)
        runs = [("", hits)]
        if copies_rule:
            retriever.skip_copies = False
            runs.append(("_keep_copies", retriever.search(row["question"], 5)))
            retriever.skip_copies = True
        half = halves.get(row["id"], "")
        answers = [a.casefold() for a in row["answers"]]
        for suffix, got in runs:
            doc = any(h.chunk.doc == row["doc"] for h in got)
            ans = any(a in h.chunk.text.casefold() for h in got for a in answers)
            for key in (f"recall_at_5{suffix}", f"recall_at_5{suffix}_{half}"):
                found.setdefault(key, [0, 0, 0])
                found[key][0] += 1
                found[key][1] += doc
                found[key][2] += ans
    result = {
        "chunks": len(retriever.index.chunks),
        "load_s": round(load_s, 2),
        "retrieve_p50_ms": percentile(times, 0.5),
        "retrieve_p95_ms": percentile(times, 0.95),
        "probes": len(rows),
    }
    for key, (n, doc, ans) in sorted(found.items()):
        result[key] = round(doc / n, 3)
        result["answer_" + key] = round(ans / n, 3)
    if args.ask:
        engine.warm_up()
        ttft = []
        for row in rows[: args.ask]:
            ttft.append(engine.answer(row["question"]).timings.ttft_ms)
        result["warm_ttft_ms"] = round(statistics.median(ttft), 1)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
