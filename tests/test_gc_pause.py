"""The collector pause around `qa index`: off inside, restored after, even on an error."""

from __future__ import annotations

import gc

import pytest

from qa import engine as engine_module
from qa.engine import Engine
from qa.gc_pause import collector_paused


def test_the_collector_is_off_inside_and_back_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block leaves it to the outer one
            pass
        assert not gc.isenabled()
        raise RuntimeError("disk full")
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_reindex_reads_and_writes_with_the_collector_paused(
    fake_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    real = engine_module.load_articles

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_module, "load_articles", spy)
    report = fake_engine.reindex()
    assert seen == [False] and report.chunks > 0
    assert gc.isenabled()
