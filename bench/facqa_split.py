"""Split facqa-dev into a tuning half and a held-out half, by article, by a fixed rule.

    .venv/bin/python bench/facqa_split.py ../shared/facqa-dev/questions.jsonl --out bench/out

The rule: a question is held out when the SHA-256 of its article's file name ("berita-0042.txt"),
read as a number, is odd. It depends on nothing but the name, so the halves never change, every
question about one article falls in the same half (no article is seen while tuning and then
again when measuring), and an article added later falls into a half without moving any other.
Writes `facqa_tuning.jsonl` and `facqa_heldout.jsonl` (lines copied as they are) and prints the
sizes. Checks are tuned on the first; the second is only measured (bench/QUALITY.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path


def held_out(doc: str) -> bool:
    """The rule: the article's file name hashes to an odd number."""
    return int(hashlib.sha256(doc.encode("utf-8")).hexdigest(), 16) % 2 == 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", type=Path, help="facqa-dev's questions.jsonl")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    halves: dict[str, list[str]] = {"tuning": [], "heldout": []}
    docs: dict[str, set[str]] = {"tuning": set(), "heldout": set()}
    for line in args.questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)["doc"]
        half = "heldout" if held_out(doc) else "tuning"
        halves[half].append(line)
        docs[half].add(doc)
    args.out.mkdir(parents=True, exist_ok=True)
    for half, lines in halves.items():
        path = args.out / f"facqa_{half}.jsonl"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        print(f"{path}: {len(lines)} questions about {len(docs[half])} articles")


if __name__ == "__main__":
    main()
