"""The real chat app over a hostile article: its escapes are shown, never sent to the terminal,
and the passage view still underlines exactly the cited sentence."""

from __future__ import annotations

import pytest
from textual.app import App

from qa.config import Settings
from qa.engine import Engine
from tests.fakes import FakeEmbedder, FakeGenerator
from tests.hostile import HOSTILE_ARTICLE, assert_terminal_safe
from tests.tui.conftest import ask, wait_for
from tui.screens import PassageScreen

pytestmark = pytest.mark.anyio


def terminal_output(app: App) -> tuple[str, str]:
    """What the screen would write to the terminal now, and the text it shows (no styling)."""
    compositor = app.screen._compositor
    written = compositor.render_full_update().render_segments(app.console)
    shown = "\n".join("".join(s.text for s in strip) for strip in compositor.render_strips())
    return written, shown


def assert_nothing_obeyed(app: App) -> None:
    written, shown = terminal_output(app)
    assert_terminal_safe(shown)
    # Textual's own styling is ESC [ … m and cursor moves; what the article carried is not there.
    for sequence in ("\x1b]0;", "\x07", "\x1b[2J", "\x9b", "HACKED-TITLE\x07"):
        assert sequence not in written, repr(sequence)


@pytest.fixture
def hostile_settings(settings: Settings) -> Settings:
    for article in settings.seeds_dir.iterdir():
        article.unlink()
    (settings.seeds_dir / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    return settings


async def test_a_hostile_article_cannot_drive_the_terminal(hostile_settings, make_app) -> None:
    engine = Engine(hostile_settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    engine.reindex()
    app = make_app(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Kapan Putin tiba di Pyongyang?")
        assert "\x1b[31m" in app.chat.answers()[0].text  # the model copied an escape …
        assert "␛[31m" in terminal_output(app)[1]  # … and it is shown, not obeyed
        assert app.sources.sources, "the hostile article is still cited"
        assert_nothing_obeyed(app)
        await pilot.resize_terminal(70, 24)
        await pilot.pause()
        assert_nothing_obeyed(app)

        source = app.sources.sources[0]
        app.query_one("#source-list").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PassageScreen))
        assert_nothing_obeyed(app)
        # The passage is shown character for character (controls as one symbol each), so the
        # offsets of the cited text and of its quoted sentence are unchanged.
        passage = str(app.screen.query_one("#passage").render())
        assert len(passage) == len(source.text)
        article = (hostile_settings.seeds_dir / source.doc).read_text(encoding="utf-8")
        assert article[source.start : source.end] == source.text


async def test_notices_quoting_a_file_name_are_shown_safely(hostile_settings, make_app) -> None:
    engine = Engine(hostile_settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    app = make_app(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        app.notify("gagal membaca evil\x1b]0;X\x07.txt [bold]", title="Judul\x1b[2J")
        await pilot.pause()
        # What the toast widget is given to draw (the app's own "no index" notice may come
        # after it: startup posts it from a worker).
        notice = next(n for n in app._notifications if "gagal membaca" in n.message)
        assert_terminal_safe(notice.message + notice.title)
        assert "evil␛]0;X␇.txt" in notice.message and "\\[bold]" in notice.message
        assert_nothing_obeyed(app)
