"""The archive benchmark: N Indonesian news passages, this code next to a previous one, one run.

    .venv/bin/python bench/archive.py --n 10000 [--n 100000] [--baseline REV] [--baseline-max 3000]

For each N it generates (once, cached under bench/out/archive/) the archive of
bench/archive_corpus.py, then for this checkout and for the baseline revision (extracted with
`git archive`, run from the same virtualenv through PYTHONPATH) measures:

- full build of `qa index` (wall time, passages/s, peak RSS),
- adding one article and changing one article in the full archive (`qa index` wall time),
- retrieval p50/p95 and recall@5 of the probe questions (bench/archive_probe.py: by article and
  by answer, each half of bench/facqa_split's rule, republished copies skipped and kept),
- warm time to first token (--ask K answers) and a cold one-shot `qa ask` (median wall time of
  3 questions, peak RSS),
- the live index's size on disk.

The baseline is built in full up to --baseline-max passages; above that its build rate on an
archive of that size projects the time a full build would take, and it is built in full when that
is at most --baseline-full-min minutes (90), else the rate is reported with the projected time
(the issue's "where today's code takes longer than 90 minutes, say so and give its rate").
Figures go to stdout as a table and to bench/out/archive-N.json; bench/SCALE.md records runs.
Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.archive_corpus import PLAIN_N, generate, write_probes  # noqa: E402

OUT = ROOT / "bench" / "out"
BASELINE = "3ad8c76"  # the code before issue 32's work (numpy BERT, all-chunk scoring)
PY = sys.executable


def archive(n: int) -> tuple[Path, Path]:
    """(seeds folder, probes file) of the archive of ``n`` passages, generated once."""
    folder = OUT / "archive" / f"n{n}"
    seeds, probes = folder / "seeds", folder / "probes.jsonl"
    if not probes.exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_probes(generate(seeds, n), folder / ".probes.tmp")
        (folder / ".probes.tmp").replace(probes)
    return seeds, probes


def code_tree(rev: str) -> Path:
    """The source of ``rev`` as files (``git archive``), for running the previous code."""
    tree = OUT / f"code-{rev}"
    if not (tree / "qa").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        data = subprocess.run(
            ["git", "archive", rev, "qa"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=data, check=True)
    return tree


def run(code: Path, *args: str, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(wall s, peak RSS MiB, stdout) of ``python args`` with ``code`` first on the path."""
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(  # from inside ``code``: `python -m` puts the cwd first on the path
            [PY, *args],
            cwd=code,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(code), **(env or {})},
        )
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"failed: {' '.join(args)}\n{err.read()[-2000:]}")
    return wall, usage.ru_maxrss // 1024, out


def qa(code: Path, *args: str) -> tuple[float, int, str]:
    return run(code, "-m", "qa.cli", *args)


def build(code: Path, seeds: Path, index: Path) -> dict:
    shutil.rmtree(index, ignore_errors=True)
    wall, rss, _ = qa(code, "index", "--seeds", str(seeds), "--index", str(index), "--quiet",
                      "--no-prefill")  # fmt: skip
    passages = sum(1 for _ in (_live(index) / "chunks.jsonl").open())
    return {"build_s": round(wall, 1), "passages": passages,
            "passages_per_s": round(passages / wall, 1), "index_rss_mib": rss}  # fmt: skip


def _live(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def incremental(code: Path, seeds: Path, index: Path) -> dict:
    """Add one article, then change one, each followed by a timed `qa index`; then undo both."""
    files = sorted(seeds.rglob("*.txt"))
    added, changed = seeds / "zz-added" / "baru.txt", files[len(files) // 2]
    original = changed.read_bytes()
    argv = ("index", "--seeds", str(seeds), "--index", str(index), "--quiet", "--no-prefill")
    try:
        added.parent.mkdir(exist_ok=True)
        added.write_text(
            "Berita baru\n\n" + files[1].read_text().split("---\n")[-1] + " Tambahan.\n"
        )
        add_s, add_rss, _ = qa(code, *argv)
        changed.write_bytes(original + b" Kalimat yang diperbarui.\n")
        change_s, _, _ = qa(code, *argv)
    finally:
        shutil.rmtree(added.parent, ignore_errors=True)
        changed.write_bytes(original)
        qa(code, *argv)
    return {"add_1_s": round(add_s, 1), "change_1_s": round(change_s, 1), "add_rss_mib": add_rss}


def probe(code: Path, seeds: Path, index: Path, probes: Path, ask: int, model: str) -> dict:
    _, _, out = run(code, str(ROOT / "bench" / "archive_probe.py"), "--index", str(index),
                    "--seeds", str(seeds), "--probes", str(probes), "--ask", str(ask),
                    "--model", model)  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


COLD_ASKS = 3


def cold_ask(code: Path, seeds: Path, index: Path, probes: Path, model: str) -> dict:
    """Median wall time of a one-shot `qa ask --json`, each in a new process, over the first
    ``COLD_ASKS`` probes (one answer's length alone moves a single sample by seconds)."""
    walls, peak = [], 0
    for line in probes.read_text().splitlines()[:COLD_ASKS]:
        wall, rss, _ = qa(code, "ask", "--json", "--index", str(index), "--seeds", str(seeds),
                          "--model", model, json.loads(line)["question"])  # fmt: skip
        walls.append(wall)
        peak = max(peak, rss)
    return {"cold_ask_s": round(statistics.median(walls), 1), "ask_rss_mib": peak}


BUILD_KEYS = ("build_s", "passages", "passages_per_s", "index_rss_mib")


def _live_ok(index: Path) -> bool:
    try:
        return (_live(index) / "chunks.jsonl").is_file()
    except OSError:
        return False


def size_mib(index: Path) -> float:
    live = _live(index)
    return round(sum(f.stat().st_size for f in live.rglob("*") if f.is_file()) / 2**20, 1)


def measure(
    code: Path, n: int, args: argparse.Namespace, label: str, rate_only: bool = False
) -> dict:
    seeds, probes = archive(n)
    index = OUT / "archive" / f"n{n}" / f"index-{label}"
    figures: dict = {"n": n}
    earlier = OUT / f"archive-{n}-{label}.json"
    if getattr(args, "reuse", False) and label == "new" and _live_ok(index) and earlier.exists():
        # The build of an earlier run, kept with --keep, measured by that run (the note says so).
        built = json.loads(earlier.read_text())
        figures.update({k: built[k] for k in BUILD_KEYS if k in built})
        figures["build_reused_from"] = built.get("build_reused_from") or time.strftime(
            "%Y-%m-%d %H:%M", time.gmtime(earlier.stat().st_mtime)
        )
        when = figures["build_reused_from"]
        print(f"  [{label}] reusing the index built {when}", file=sys.stderr, flush=True)
    else:
        print(f"  [{label}] building {n} passages …", file=sys.stderr, flush=True)
        figures.update(build(code, seeds, index))
    if rate_only:  # the baseline's build rate, for an archive too large to build it whole
        shutil.rmtree(index, ignore_errors=True)
        return figures
    figures["size_mib"] = size_mib(index)
    if n != PLAIN_N:
        figures.update(incremental(code, seeds, index))
    figures.update(probe(code, seeds, index, probes, args.ask, args.model))
    if args.ask:
        figures.update(cold_ask(code, seeds, index, probes, args.model))
    if not args.keep:
        shutil.rmtree(index, ignore_errors=True)
    return figures


ROWS = [
    ("passages", "passages indexed", ""),
    ("build_s", "full build", "s"),
    ("passages_per_s", "build rate", "passages/s"),
    ("index_rss_mib", "peak RSS qa index", "MiB"),
    ("add_1_s", "add 1 article", "s"),
    ("change_1_s", "change 1 article", "s"),
    ("retrieve_p50_ms", "retrieval p50", "ms"),
    ("retrieve_p95_ms", "retrieval p95", "ms"),
    ("recall_at_5", "recall@5 (probes)", ""),
    ("recall_at_5_tuning", "  tuning half", ""),
    ("recall_at_5_heldout", "  held-out half", ""),
    ("recall_at_5_keep_copies", "  copies kept", ""),
    ("answer_recall_at_5", "answer in top 5", ""),
    ("answer_recall_at_5_keep_copies", "  copies kept", ""),
    ("warm_ttft_ms", "warm first token", "ms"),
    ("cold_ask_s", "cold qa ask total (median)", "s"),
    ("ask_rss_mib", "peak RSS qa ask", "MiB"),
    ("size_mib", "index size on disk", "MiB"),
]


HIGHER_IS_BETTER = {"passages_per_s", "passages", *(k for k, _l, _u in ROWS if "recall" in k)}


def table(new: dict, old: dict, old_note: str) -> str:
    """Each figure of this code and the baseline; ratio > 1 means this code is better."""
    lines = [f"{'figure':24} {'this code':>12} {'baseline':>12} {'better':>7}"]
    for key, label, unit in ROWS:
        a, b = new.get(key), old.get(key)
        if a is None and b is None:
            continue
        better = key in HIGHER_IS_BETTER
        ratio = (
            f"{(a / b if better else b / a):.2f}x"
            if isinstance(a, int | float) and isinstance(b, int | float) and a and b
            else ""
        )
        lines.append(f"{label:24} {_fmt(a):>12} {_fmt(b):>12} {ratio:>7}  {unit}")
    if old_note:
        lines.append(old_note)
    return "\n".join(lines)


def _fmt(value: object) -> str:
    return "-" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, action="append", help="archive sizes (repeatable)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--baseline-max", type=int, default=3000,
                        help="largest N the baseline surely builds in full")  # fmt: skip
    parser.add_argument("--baseline-full-min", type=float, default=90,
                        help="above --baseline-max, build the baseline in full too when its "
                        "rate there projects at most this many minutes (default 90)")  # fmt: skip
    parser.add_argument("--ask", type=int, default=3, help="warm answers to time (0: no model)")
    parser.add_argument("--model", default="default")
    parser.add_argument("--keep", action="store_true", help="keep the built indexes")
    parser.add_argument("--reuse", action="store_true",
                        help="measure an index an earlier --keep run built instead of building "
                        "it again; the build rows are that run's (the table says so)")  # fmt: skip
    args = parser.parse_args()
    sizes = args.n or [PLAIN_N, 10_000]
    old_code = code_tree(args.baseline)
    rate: dict = {}  # the baseline's build on --baseline-max passages, measured once
    for n in sizes:
        print(f"N = {n}", file=sys.stderr, flush=True)
        new = measure(ROOT, n, args, "new")
        (OUT / f"archive-{n}-new.json").write_text(json.dumps(new, indent=1))  # kept if later fails
        print(json.dumps(new), file=sys.stderr, flush=True)
        note = ""
        if n <= args.baseline_max:
            old = measure(old_code, n, args, "baseline")
        else:
            rate = rate or measure(old_code, args.baseline_max, args, "baseline", rate_only=True)
            minutes = n / rate["passages_per_s"] / 60
            if minutes <= args.baseline_full_min:  # the issue: only a longer build is skipped
                old = measure(old_code, n, args, "baseline")
                note = (
                    f"baseline built in full: its {rate['passages_per_s']} passages/s on "
                    f"{args.baseline_max} projected {minutes:.0f} min "
                    f"(<= {args.baseline_full_min:g})"
                )
            else:
                old = {"passages_per_s": rate["passages_per_s"]}
                note = (
                    f"baseline not built at {n}: at its {rate['passages_per_s']} passages/s "
                    f"(measured on {args.baseline_max}) it would take {minutes:.0f} min"
                )
        if new.get("build_reused_from"):
            note = "\n".join(
                filter(None, [note, f"build rows: the run of {new['build_reused_from']} UTC"])
            )
        print(f"\nN = {n}  (baseline {args.baseline})")
        print(table(new, old, note), flush=True)
        (OUT / f"archive-{n}.json").write_text(
            json.dumps({"new": new, "baseline": old, "note": note}, indent=1)
        )


if __name__ == "__main__":
    main()
