"""Latency benchmark: the product's engine against a naive local-RAG baseline, in one run.

    make bench    # or: .venv/bin/python bench/latency.py [--model default] [--n 8] [--n-large 24]

For the seed article and for a corpus of a few hundred articles (shared/facqa-dev), prints
retrieval time, time to first token (new question and follow-up), generation speed (ours against
llama.cpp's own decode timer for the same generation), cold one-shot `qa ask` wall time and peak
RSS, for our engine and for bench/naive_ask.py (same model, threads, retrieval and prompt text; a
fresh prompt per question, no KV-cache reuse, sentence-transformers imported normally), with the
ratio. Writes the figures to bench/out/latency.json. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PY = sys.executable


def run_measured(cmd: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stdout) of a child process, measured by wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return time.perf_counter() - started, usage.ru_maxrss // 1024, out


def questions(path: Path, n: int, *, spread: bool = False) -> list[str]:
    """The first ``n`` answerable questions, or ``n`` spread evenly over the file (so over a
    large corpus's articles)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    asked = [r["q"] for r in rows if r.get("q") and not r.get("unanswerable")]
    if not spread:
        return asked[:n]
    return [asked[i * len(asked) // n] for i in range(min(n, len(asked)))]


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else float("nan")


def decode_speed(generator) -> float:
    """llama.cpp's own timing of the last generation's decode steps, tokens/s."""
    import llama_cpp

    data = llama_cpp.llama_perf_context(generator.load()._ctx.ctx)
    return data.n_eval / (data.t_eval_ms / 1000) if data.t_eval_ms > 0 else float("nan")


# Conversations for the follow-up figure: the second question only makes sense after the first.
FOLLOW_UPS = [
    ("Siapa Yakov Zinberg?", "Di kota mana dia bekerja?"),
    ("Siapa Leif-Eric Easley?", "Di universitas mana dia mengajar?"),
    ("Kapan Putin terakhir kali mengunjungi Korea Utara?", "Siapa yang memimpin negara itu?"),
]


def ours_warm(index: Path, seeds: Path, model: str, qs: list[str], follow_up: bool) -> dict:
    import llama_cpp

    from qa.config import load_settings
    from qa.engine import Engine
    from qa.prompting import Turn

    engine = Engine(load_settings(index_dir=index, seeds_dir=seeds, model=model))
    started = time.perf_counter()
    how = engine.warm_up()
    warm_s = time.perf_counter() - started
    ttft, retrieve, total, speed, raw = [], [], [], [], []
    for q in qs:
        answer = engine.answer(q)
        ttft.append(answer.timings.ttft_ms)
        retrieve.append(answer.timings.retrieve_ms)
        total.append(answer.timings.total_ms)
        if answer.timings.tokens > 8:
            speed.append(answer.timings.tokens_per_s)
            raw.append(decode_speed(engine.generator))
        llama_cpp.llama_perf_context_reset(engine.generator.load()._ctx.ctx)
    result = {
        "prefix": how,
        "warm_up_s": round(warm_s, 1),
        "retrieve_ms": median(retrieve),
        "ttft_ms": median(ttft),
        "ttft_p90_ms": round(sorted(ttft)[int(0.9 * (len(ttft) - 1))], 1),
        "total_ms": median(total),
        "tokens_per_s": median(speed),
        "llama_decode_tokens_per_s": median(raw),
    }
    if follow_up:
        follow_ups = []
        for question, then in FOLLOW_UPS:
            first = engine.answer(question)
            second = engine.answer(then, [Turn(first.question, first.answer)])
            follow_ups.append(second.timings.ttft_ms)
            result.setdefault("follow_up_answer", second.answer)
        result["follow_up_ttft_ms"] = median(follow_ups)
    return result


def ours_cold(index: Path, seeds: Path, model: str, qs: list[str]) -> dict:
    walls, rss = [], []
    for q in qs:
        wall, peak, _ = run_measured(
            [
                PY,
                "-m",
                "qa.cli",
                "ask",
                "--json",
                "--index",
                str(index),
                "--seeds",
                str(seeds),
                "--model",
                model,
                q,
            ]
        )
        walls.append(wall * 1000)
        rss.append(peak)
    return {"one_shot_ms": median(walls), "one_shot_peak_rss_mib": max(rss)}


def naive(index: Path, model: str, qs: list[str]) -> dict:
    _wall, peak, out = run_measured(
        [PY, str(ROOT / "bench" / "naive_ask.py"), "--index", str(index), "--model", model, *qs]
    )
    rows = [json.loads(line) for line in out.splitlines()]
    warm = rows[1:] or rows
    speed = [
        (r["tokens"] - 1) / ((r["total_ms"] - r["ttft_ms"]) / 1000)
        for r in warm
        if r["tokens"] > 8 and r["total_ms"] > r["ttft_ms"]
    ]
    return {
        "retrieve_ms": median([r["retrieve_ms"] for r in warm]),
        "ttft_ms": median([r["ttft_ms"] for r in warm]),
        "total_ms": median([r["total_ms"] for r in warm]),
        "tokens_per_s": median(speed),
        "one_shot_ms": rows[0]["total_ms"],  # first question of a new process: start-up included
        "peak_rss_mib": peak,
    }


def build(seeds: Path, index: Path, model: str) -> None:
    run_measured(
        [
            PY,
            "-m",
            "qa.cli",
            "index",
            "--quiet",
            "--seeds",
            str(seeds),
            "--index",
            str(index),
            "--model",
            model,
            "--no-prefill",
        ]
    )


def ui_memory(index: Path, seeds: Path, model: str, qs: list[str] | None = None) -> dict:
    """Peak RSS of the real chat UI (headless) answering two questions."""
    cmd = [PY, str(ROOT / "bench" / "ui_memory.py"), "--index", str(index), "--seeds", str(seeds)]
    _wall, peak, out = run_measured([*cmd, "--model", model, *(qs or [])])
    result = json.loads(out.splitlines()[-1])
    print(f"chat UI (Textual, headless), two questions: peak RSS {peak} MiB")
    return {"ui_peak_rss_mib": peak, "ui_ttft_ms": result["ttft_ms"]}


def ratio(naive_value: float, ours_value: float) -> str:
    if not ours_value or ours_value != ours_value:
        return "n/a"
    return f"{naive_value / ours_value:.1f}x"


def report(name: str, ours: dict, cold: dict, base: dict) -> None:
    print(f"\n== {name}  (prefix: {ours['prefix']}, warm-up {ours['warm_up_s']} s)")
    rows = [
        ("retrieval, median ms", ours["retrieve_ms"], base["retrieve_ms"]),
        ("time to first token, median ms", ours["ttft_ms"], base["ttft_ms"]),
        ("time to first token, p90 ms", ours["ttft_p90_ms"], float("nan")),
        ("answer total, median ms", ours["total_ms"], base["total_ms"]),
        ("generation, tokens/s", ours["tokens_per_s"], base["tokens_per_s"]),
        ("cold one-shot `qa ask`, ms", cold["one_shot_ms"], base["one_shot_ms"]),
        ("one-shot peak RSS, MiB", cold["one_shot_peak_rss_mib"], base["peak_rss_mib"]),
    ]
    print(f"{'':34} {'ours':>10} {'naive':>10} {'naive/ours':>11}")
    for label, a, b in rows:
        speedup = ratio(a, b) if "tokens/s" in label else ratio(b, a)
        print(f"{label:34} {a:>10} {b:>10} {speedup:>11}")
    print(
        f"llama.cpp's own decode speed for the same generations: "
        f"{ours['llama_decode_tokens_per_s']:.1f} tokens/s "
        f"(ours is {ours['tokens_per_s'] / ours['llama_decode_tokens_per_s']:.0%} of it)"
    )
    if "follow_up_ttft_ms" in ours:
        print(
            f"follow-up time to first token, median of {len(FOLLOW_UPS)}: "
            f"{ours['follow_up_ttft_ms']} ms (first answer: {ours['follow_up_answer']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--n", type=int, default=8, help="questions on the seed article")
    parser.add_argument(
        "--n-large", type=int, default=24, help="questions on the large corpus (medians vary more)"
    )
    parser.add_argument("--large", type=Path, default=ROOT.parent / "shared" / "facqa-dev")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict = {"model": args.model, "threads": os.cpu_count()}

    seed_index = OUT / "seed-index"
    build(ROOT / "seeds", seed_index, args.model)
    seed_qs = questions(ROOT / "tests" / "eval" / "seed_qa.jsonl", args.n)
    ours = ours_warm(seed_index, ROOT / "seeds", args.model, seed_qs, follow_up=True)
    cold = ours_cold(seed_index, ROOT / "seeds", args.model, seed_qs[:3])
    base = naive(seed_index, args.model, seed_qs)
    results["seed"] = {"ours": ours, "ours_cold": cold, "naive": base}
    report("seed article (1 article)", ours, cold, base)
    results["seed"]["ui"] = ui_memory(seed_index, ROOT / "seeds", args.model)

    if (args.large / "articles").is_dir():
        large_index = OUT / "large-index"
        build(args.large / "articles", large_index, args.model)
        large_qs = questions(args.large / "questions.jsonl", args.n_large, spread=True)
        seeds = args.large / "articles"
        ours = ours_warm(large_index, seeds, args.model, large_qs, follow_up=False)
        cold = ours_cold(large_index, seeds, args.model, large_qs[:3])
        base = naive(large_index, args.model, large_qs)
        results["large"] = {"ours": ours, "ours_cold": cold, "naive": base}
        report(f"{len(list(seeds.glob('*.txt')))} articles (facqa-dev)", ours, cold, base)
        results["large"]["ui"] = ui_memory(large_index, seeds, args.model, large_qs[:2])

    (OUT / "latency.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"\nfigures written to {OUT / 'latency.json'}")


if __name__ == "__main__":
    main()
