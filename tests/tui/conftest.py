"""Fixtures for the UI tests: apps over the fake engine, and helpers to wait on them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from qa.config import Settings
from qa.conversations import ConversationStore, default_db_path
from qa.engine import Engine
from qa.errors import GenerationError
from tests.fakes import FakeEmbedder, FakeGenerator
from tui.app import QAApp

FIXED_TIMINGS = "first token 0.4 s · 20.0 tok/s"


def fixed_timings(_ttft_ms: float | None, _tokens_per_s: float | None) -> str:
    return FIXED_TIMINGS


class FailingGenerator(FakeGenerator):
    """Streams ``good`` words, then fails like a crashed model."""

    def __init__(self, good: int = 2, error: Exception | None = None) -> None:
        super().__init__(reply="Putin datang pada tahun 2000 [1] dan lagi nanti")
        self.good = good
        self.error = error or GenerationError("the model failed while answering (boom); try again")

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
        for i, word in enumerate(super().stream(prompt, max_tokens)):
            if i >= self.good:
                raise self.error
            yield word


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_engine(settings: Settings) -> Callable[..., Engine]:
    """An engine over the indexed seed copy, with the given fake generator."""

    def make(generator: FakeGenerator | None = None, *, index: bool = True) -> Engine:
        engine = Engine(settings, embedder=FakeEmbedder(), generator=generator or FakeGenerator())
        if index:
            engine.reindex()
        return engine

    return make


@pytest.fixture
def make_app(settings: Settings) -> Callable[..., QAApp]:
    def make(engine: Engine, **kwargs: object) -> QAApp:
        kwargs.setdefault("timings", fixed_timings)
        kwargs.setdefault("cursor_blink", False)
        return QAApp(settings, engine, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def db_path(settings: Settings) -> Path:
    return default_db_path(settings.data_dir)


@pytest.fixture
def reopen_store(db_path: Path) -> Iterator[Callable[[], ConversationStore]]:
    """A second connection to the app's database, as the next run of the app would see it."""
    opened: list[ConversationStore] = []

    def reopen() -> ConversationStore:
        opened.append(ConversationStore(db_path))
        return opened[-1]

    yield reopen
    for store in opened:
        store.close()


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    await pilot.pause()


async def ask(pilot: Pilot, question: str, *, wait: bool = True, timeout: float = 10.0) -> None:
    """Type a question, press Enter and (by default) wait for the whole answer."""
    app = pilot.app
    assert isinstance(app, QAApp)
    await wait_for(pilot, lambda: app.warmed_up)
    box = app.query_one("#question", Input)
    box.focus()
    box.value = question
    await pilot.press("enter")
    await pilot.pause()
    if wait:
        await wait_for(pilot, lambda: not app.answering, timeout)
