"""`qa` on the fake models as a process of its own: what the reliability tests kill, starve of
disk and cut off mid-pipe. ``FAKE_EMBED_DELAY`` (seconds per batch) slows embedding down so a
kill can land anywhere in a run."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

import numpy as np

import qa.cli
from qa.engine import Engine
from tests.fakes import FakeEmbedder, FakeGenerator


class SlowEmbedder(FakeEmbedder):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(float(os.environ.get("FAKE_EMBED_DELAY", "0")))
        return super().embed(texts)


def main() -> int:
    qa.cli.make_engine = lambda s: Engine(s, embedder=SlowEmbedder(), generator=FakeGenerator())
    return qa.cli.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
