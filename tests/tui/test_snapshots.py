"""Screenshots of the main screens compared with accepted ones (pytest-textual-snapshot).

Deterministic by construction: fake embedder and generator, fixed timing text, no cursor blink.
Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from textual.pilot import Pilot

from tests.fakes import FakeGenerator
from tests.tui.conftest import ask, wait_for
from tui.app import QAApp

QUESTION = "Kapan terakhir kali Putin mengunjungi Korea Utara?"
REPLY = "Putin terakhir kali mengunjungi Korea Utara pada tahun **2000** [2]."


async def _ready(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, QAApp)
    await wait_for(pilot, lambda: app.warmed_up and app.status.state == "ready")


async def _answered(pilot: Pilot) -> None:
    await _ready(pilot)
    await ask(pilot, QUESTION)
    await pilot.pause(0.1)


def test_main_screen(snap_compare, make_engine, make_app) -> None:
    app = make_app(make_engine(FakeGenerator(reply=REPLY)))
    assert snap_compare(app, run_before=_ready)


def test_answer_with_sources(snap_compare, make_engine, make_app) -> None:
    app = make_app(make_engine(FakeGenerator(reply=REPLY)))
    assert snap_compare(app, terminal_size=(120, 40), run_before=_answered)


def test_answer_with_sources_at_80x24(snap_compare, make_engine, make_app) -> None:
    app = make_app(make_engine(FakeGenerator(reply=REPLY)))
    assert snap_compare(app, run_before=_answered)


def test_help_screen(snap_compare, make_engine, make_app) -> None:
    app = make_app(make_engine())

    async def help_open(pilot: Pilot) -> None:
        await _ready(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(app, run_before=help_open)
