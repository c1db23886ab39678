"""The background embedding queue of `qa index`: order, errors, interruption, progress."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from qa.embed_queue import EmbedQueue
from tests.fakes import FakeEmbedder

TEXTS = [f"berita nomor {i} tentang banjir di kota {i % 7}" for i in range(70)]


class Failing(FakeEmbedder):
    """Raises on the batch holding ``bad``."""

    def __init__(self, bad: str, error: BaseException) -> None:
        super().__init__()
        self.bad, self.error = bad, error

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.bad in texts:
            raise self.error
        return super().embed(texts)


def test_vectors_come_back_in_the_order_added_and_equal_a_direct_embed() -> None:
    embedder = FakeEmbedder()
    seen: list[tuple[int, int]] = []
    with EmbedQueue(embedder, batch_size=8, progress=lambda d, t: seen.append((d, t))) as queue:
        for start in range(0, len(TEXTS), 5):  # added in pieces that do not align with batches
            queue.add(TEXTS[start : start + 5])
        vectors = queue.vectors()
    assert np.array_equal(vectors, FakeEmbedder().embed(TEXTS))
    assert embedder.calls == [8] * 8 + [6]
    assert seen[-1] == (len(TEXTS), len(TEXTS))
    assert all(done <= total for done, total in seen)


def test_nothing_added_gives_no_vectors_and_no_thread() -> None:
    before = threading.active_count()
    with EmbedQueue(FakeEmbedder(), batch_size=8, progress=None) as queue:
        assert queue.vectors().shape == (0, 0)
    assert threading.active_count() == before


@pytest.mark.parametrize("error", [RuntimeError("model broke"), KeyboardInterrupt()])
def test_an_embedder_error_reaches_the_caller_and_the_rest_is_dropped(
    error: BaseException,
) -> None:
    embedder = Failing(TEXTS[20], error)
    with pytest.raises(type(error)), EmbedQueue(embedder, batch_size=8, progress=None) as queue:
        queue.add(TEXTS)
        queue.vectors()
    assert embedder.calls == [8, 8]  # the batches queued after the failing one never ran


def test_leaving_early_stops_the_queue_and_restores_the_switch_interval() -> None:
    interval = sys.getswitchinterval()
    started = threading.Event()
    release = threading.Event()

    class Slow(FakeEmbedder):
        def embed(self, texts: Sequence[str]) -> np.ndarray:
            started.set()
            release.wait(5)
            return super().embed(texts)

    embedder = Slow()
    with (
        pytest.raises(ValueError, match="chunking failed"),
        EmbedQueue(embedder, batch_size=4, progress=None) as queue,
    ):
        queue.add(TEXTS)
        assert sys.getswitchinterval() < interval
        started.wait(5)
        threading.Timer(0.2, release.set).start()  # the running batch ends after the exit
        raise ValueError("chunking failed")
    assert len(embedder.calls) == 1  # the queued batches were cancelled, not run
    assert sys.getswitchinterval() == interval


def test_queues_open_side_by_side_restore_the_interval_only_when_the_last_closes() -> None:
    interval = sys.getswitchinterval()
    first = EmbedQueue(FakeEmbedder(), batch_size=8, progress=None)
    second = EmbedQueue(FakeEmbedder(), batch_size=8, progress=None)
    with first:
        with second:
            assert sys.getswitchinterval() < interval
        first.add(TEXTS[:3])
        assert sys.getswitchinterval() < interval  # the first is still embedding
        assert first.vectors().shape == (3, 64)
    assert sys.getswitchinterval() == interval
