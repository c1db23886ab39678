"""Embedding in the background while `qa index` goes on reading, chunking and stemming.

The embedder keeps both cores busy (onnxruntime releases the GIL), but chunking, stemming and
formatting chunk lines are single-threaded Python. Done before and after embedding, as they were,
they left one core idle for that time (at 10,000 passages: ~5 s of a 142 s build). Queued batch by
batch as the articles are chunked, the embedder starts on the first batch at once and that Python
work runs beside it. The vectors come back in the order the texts were queued.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

import numpy as np

from qa.embedding import Embedder
from qa.progress import Progress

# While Python work runs beside the embedder, its threads wait for the GIL between texts: at the
# default 5 ms switch interval that is up to 5 ms per ~25 ms text; 0.5 ms keeps the wait small.
SWITCH_INTERVAL_S = 0.0005
_open = [0, 0.0]  # queues open in this process, and the interval from before the first
_open_lock = threading.Lock()


def _shorten_switch_interval() -> None:
    with _open_lock:
        if not _open[0]:
            _open[1] = sys.getswitchinterval()
            sys.setswitchinterval(min(_open[1], SWITCH_INTERVAL_S))
        _open[0] += 1


def _restore_switch_interval() -> None:
    with _open_lock:
        _open[0] -= 1
        if not _open[0]:
            sys.setswitchinterval(_open[1])


class EmbedQueue:
    """``add`` texts as they come; ``vectors()`` once all are added. A context manager: leaving it
    (normally or by an exception) stops what is still queued and restores the switch interval."""

    def __init__(self, embedder: Embedder, batch_size: int, progress: Progress | None) -> None:
        self._embedder = embedder
        self._batch_size = max(1, batch_size)
        self._progress = progress
        self._pending: list[str] = []
        self._futures: list[Future[np.ndarray]] = []
        self._queued = 0
        self._done = 0
        self._lock = threading.Lock()
        self._failed = threading.Event()  # set by an embedder error: later batches are skipped
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> EmbedQueue:
        _shorten_switch_interval()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        _restore_switch_interval()

    def add(self, texts: Sequence[str]) -> None:
        """Queue ``texts``; every full batch starts as soon as the embedder is free."""
        self._pending.extend(texts)
        while len(self._pending) >= self._batch_size:
            self._submit(self._pending[: self._batch_size])
            del self._pending[: self._batch_size]

    def vectors(self) -> np.ndarray:
        """(texts, dim) float32 rows of everything added, in order; re-raises the embedder's
        error. Call once, after the last ``add``."""
        if self._pending:
            self._submit(self._pending)
            self._pending = []
        if self._progress:
            self._progress(self._done, self._queued)  # the total is known now
        parts = [future.result() for future in self._futures]
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def _submit(self, batch: list[str]) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="qa-embed-queue")
        with self._lock:
            self._queued += len(batch)
        self._futures.append(self._pool.submit(self._embed, batch))

    def _embed(self, batch: list[str]) -> np.ndarray:
        if self._failed.is_set():  # its error is what the caller will see; the rest is waste
            return np.zeros((0, 0), dtype=np.float32)
        try:
            vectors = np.asarray(self._embedder.embed(batch), dtype=np.float32)
        except BaseException:
            self._failed.set()
            raise
        with self._lock:
            self._done += len(batch)
            done, queued = self._done, self._queued
        if self._progress:
            self._progress(done, queued)
        return vectors
