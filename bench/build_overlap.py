"""`qa index` from scratch: this code against another revision, builds alternated in one run.

For changes to the build worth a few percent, less than this machine drifts between runs: the
two codes are built in turns (ABBA order per pair of rounds) on the same archive of
bench/archive_corpus.py and the same virtualenv, and the ratio of their median rates is printed
with every build's figure. Made for the background embedding queue that was tried and dropped
(bench/SCALE.md, "Embedding beside chunking").

    .venv/bin/python bench/build_overlap.py --baseline REV --n 10000 --rounds 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.archive import OUT, archive, build, code_tree  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="archive size (passages)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", required=True, help="git revision to compare with")
    args = parser.parse_args()
    seeds, _probes = archive(args.n)
    codes = {"before": code_tree(args.baseline), "now": ROOT}
    rates: dict[str, list[float]] = {label: [] for label in codes}
    for round_ in range(args.rounds):
        order = list(codes) if round_ % 2 == 0 else list(reversed(codes))
        for label in order:
            index = OUT / "build-overlap" / f"n{args.n}-{label}"
            figures = build(codes[label], seeds, index)
            rates[label].append(figures["passages_per_s"])
            print(
                f"round {round_ + 1} {label:6} {figures['build_s']:7.1f} s  "
                f"{figures['passages_per_s']:6.1f} passages/s  peak RSS "
                f"{figures['index_rss_mib']} MiB",
                flush=True,
            )
    before, now = (statistics.median(rates[label]) for label in ("before", "now"))
    print(
        f"\nN = {args.n}, {args.rounds} rounds: median {now:.1f} passages/s now against "
        f"{before:.1f} at {args.baseline} ({now / before:.3f}x)"
    )


if __name__ == "__main__":
    main()
