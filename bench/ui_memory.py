"""Peak memory of the chat UI: the real Textual app (headless) answering a question and a
follow-up over an index, with the real models. Prints one JSON line.

    .venv/bin/python bench/ui_memory.py --index bench/out/seed-index --seeds seeds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ("Siapa Yakov Zinberg?", "Di kota mana dia bekerja?")


async def chat(index: Path, seeds: Path, model: str, questions: list[str]) -> list[float | None]:
    from qa.config import load_settings
    from tests.tui.conftest import ask, wait_for
    from tui.app import QAApp

    with tempfile.TemporaryDirectory() as data:  # the user's chat history stays untouched
        settings = load_settings(index_dir=index, seeds_dir=seeds, model=model, data_dir=Path(data))
        app = QAApp(settings, cursor_blink=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.warmed_up, timeout=300)
            for question in questions:
                await ask(pilot, question, timeout=300)
            return [view.exchange.ttft_ms for view in app.chat.answers()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--model", default="default")
    parser.add_argument("questions", nargs="*", default=list(QUESTIONS))
    args = parser.parse_args()
    ttft = asyncio.run(chat(args.index, args.seeds, args.model, args.questions))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"ui_peak_rss_mib": peak_mib, "ttft_ms": ttft}))


if __name__ == "__main__":
    main()
