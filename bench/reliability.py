"""Reliability soak: many more of what tests/test_reliability.py does a handful of times.

    .venv/bin/python bench/reliability.py [--kills 60] [--disk-full 12] [--switches 40]

On a 60-article archive and the fake models (the crash safety under test is the index's, not the
model's): `qa index` killed with SIGKILL at random moments (a third of them aimed at the last
fifth of a run: writing the version and switching CURRENT), `qa index` under a file-size limit
(RLIMIT_FSIZE: a full disk) at sizes from a few KB to most of the index, and a reader loading the
index in a tight loop while a writer switches versions. After each it checks that the previous or
the new index loads and answers, that the next `qa index` finishes, and that nothing qa wrote is
left. Prints how many times each was tried and held; bench/RELIABILITY.md records a run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.chunking import ChunkingParams  # noqa: E402
from qa.corpus import load_articles  # noqa: E402
from qa.errors import IndexCorruptError  # noqa: E402
from qa.store import load_index, update_index  # noqa: E402
from tests.fakes import FakeEmbedder  # noqa: E402
from tests.test_reliability import (  # noqa: E402
    assert_clean,
    fake_qa,
    loads_during,
    make_archive,
    run,
    switch_versions,
)

ARTICLES = 60
INDEX = ("index", "--quiet", "--no-prefill")


def answers(index: Path, seeds: Path) -> bool:
    code, out, _ = run("ask", "--json", "Siapa Easley?", index=index, seeds=seeds)
    return code == 0 and bool(json.loads(out)["sources"])


def kills(root: Path, n: int, rng: random.Random) -> dict[str, int]:
    seeds, index = root / "seeds", root / "idx"
    make_archive(seeds, ARTICLES)
    assert run(*INDEX, index=index, seeds=seeds)[0] == 0
    make_archive(seeds, ARTICLES, salt=" (ukur)")
    started = time.monotonic()
    assert run(*INDEX, index=index, seeds=seeds, delay=0.05)[0] == 0
    full = time.monotonic() - started
    held = {"kills": 0, "aimed at write-and-switch": 0, "index loads after": 0, "answers": 0}
    for i in range(n):
        make_archive(seeds, ARTICLES, salt=f" ({i})")
        aimed = i % 3 == 0
        when = rng.uniform(0.8 * full, full) if aimed else rng.uniform(0.0, full)
        proc = fake_qa(*INDEX, index=index, seeds=seeds, delay=0.05)
        time.sleep(when)
        proc.kill()
        proc.communicate()
        held["kills"] += 1
        held["aimed at write-and-switch"] += aimed
        try:
            load_index(index)
            held["index loads after"] += 1
        except IndexCorruptError as exc:
            print(f"  kill {i} at {when:.2f}s: {exc}")
        held["answers"] += answers(index, seeds)
    held["next qa index finishes"] = int(run(*INDEX, index=index, seeds=seeds)[0] == 0)
    assert_clean(index)
    held["nothing left behind"] = 1
    return held


def disk_full(root: Path, n: int, rng: random.Random) -> dict[str, int]:
    seeds, index = root / "seeds", root / "idx"
    make_archive(seeds, ARTICLES)
    assert run(*INDEX, index=index, seeds=seeds)[0] == 0
    largest = max(f.stat().st_size for f in index.rglob("*") if f.is_file())
    held = {"runs": 0, "one line, no traceback": 0, "old index kept": 0, "recovered": 0}
    for i in range(n):
        before = load_index(index).path
        make_archive(seeds, ARTICLES, salt=f" (penuh {i})")
        limit = int(rng.uniform(2_000, largest))
        code, _, err = run(*INDEX, index=index, seeds=seeds, fsize=limit)
        held["runs"] += 1
        if code == 0:  # the limit was above what this run had to write
            held["one line, no traceback"] += 1
            held["old index kept"] += 1
        else:
            one_line = err.strip().count("\n") == 0 and "Traceback" not in err
            held["one line, no traceback"] += one_line and "no space left" in err
            held["old index kept"] += load_index(index).path == before
        code, _, _ = run(*INDEX, index=index, seeds=seeds)
        held["recovered"] += code == 0
    assert_clean(index)
    return held


def switches(root: Path, n: int) -> dict[str, int]:
    seeds, index = root / "seeds", root / "idx"
    make_archive(seeds, 12)
    update_index(index, load_articles(seeds), FakeEmbedder(), ChunkingParams(600, 120))
    loads, failures = loads_during(index, lambda: switch_versions(seeds, index, n, articles=12))
    assert_clean(index)
    return {"version switches": n, "loads": loads, "loads that failed": len(failures)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--disk-full", type=int, default=12)
    parser.add_argument("--switches", type=int, default=40)
    parser.add_argument("--seed", type=int, default=36)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for name, job in (
        ("kill -9 during qa index", lambda r: kills(r, args.kills, rng)),
        ("disk full (RLIMIT_FSIZE) during qa index", lambda r: disk_full(r, args.disk_full, rng)),
        ("readers during version switches", lambda r: switches(r, args.switches)),
    ):
        started = time.monotonic()
        with TemporaryDirectory() as tmp:
            figures = job(Path(tmp))
        print(f"{name} ({time.monotonic() - started:.0f}s)")
        for key, value in figures.items():
            print(f"  {key:28} {value}")


if __name__ == "__main__":
    main()
