"""The cyclic garbage collector paused while `qa index` loads and writes an archive's index.

Bringing a 100,000-article index up to date makes over a million small long-lived objects (article
records, paths, rows); CPython's cyclic collector walks the growing heap again at each full
collection. Measured at 100k on 2 cores: a `qa index` with nothing to do took 6.8-8.2 s with the
collector and 4.0-4.9 s with it paused, at the same peak RSS (bench/SCALE.md). Reference counting
still frees everything without cycles meanwhile; the collector resumes as it was afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; nested use leaves it to the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
