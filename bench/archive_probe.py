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
    load_s = time.perf_counter() - started
    retriever = engine.retriever  # the retriever the engine uses
    retriever.search(rows[0]["question"], 5)  # first query pays for lazy imports
    times, found = [], 0
    for row in rows:
        t = time.perf_counter()
        hits = retriever.search(row["question"], 5)
        times.append((time.perf_counter() - t) * 1000)
        found += any(h.chunk.doc == row["doc"] for h in hits)
    result = {
        "chunks": len(engine.index.chunks),
        "load_s": round(load_s, 2),
        "retrieve_p50_ms": percentile(times, 0.5),
        "retrieve_p95_ms": percentile(times, 0.95),
        "recall_at_5": round(found / len(rows), 3),
        "probes": len(rows),
    }
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
