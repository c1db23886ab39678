"""The UI's scope (status bar, article list, filters) and a new index version noticed by itself."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from qa.engine import Engine
from tests.conftest import SEED_FILE
from tests.fakes import FakeEmbedder, FakeGenerator
from tests.tui.conftest import ask, wait_for
from tui.scope_screens import ArticlesScreen, FilterScreen

pytestmark = pytest.mark.anyio

FLOOD = (
    "---\ndate: 2019-01-05\nsource: Kompas\n---\nBanjir melanda Semarang\n\n"
    "Sebanyak 1.250 warga Semarang mengungsi ke masjid.\n"
)
QUESTION = "Berapa warga Semarang mengungsi?"


async def test_picking_an_article_scopes_the_next_question(make_engine, make_app, settings) -> None:
    (settings.seeds_dir / "001_banjir.txt").write_text(FLOOD, encoding="utf-8")
    app = make_app(make_engine())
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.status.state == "ready")
        assert app.status.scope == ""
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ArticlesScreen))
        listed = app.screen.query_one(OptionList)
        prompts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert any("2019-01-05 · Kompas · 001_banjir.txt" in p for p in prompts)
        ids = [doc for doc, _, _ in app.engine.articles()]
        listed.highlighted = ids.index(SEED_FILE.name)
        listed.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.scope is not None)
        assert SEED_FILE.name in app.status.scope
        await ask(pilot, QUESTION)
        (view,) = app.chat.answers()
        assert "1.250" not in view.text


async def test_filters_are_checked_and_shown(make_engine, make_app, settings) -> None:
    (settings.seeds_dir / "001_banjir.txt").write_text(FLOOD, encoding="utf-8")
    app = make_app(make_engine())
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.status.state == "ready")
        app.action_filter_scope()
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        app.screen.query_one("#since", Input).value = "kemarin"
        app.screen.query_one("#since", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)  # a bad date keeps the screen open
        app.screen.query_one("#since", Input).value = ""
        app.screen.query_one("#until", Input).value = "2020-01-01"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.scope is not None)
        assert app.status.scope == "until 2020-01-01"
        await ask(pilot, QUESTION)
        (view,) = app.chat.answers()
        assert "1.250" in view.text
        app.set_scope(None)
        assert app.status.scope == ""


async def test_a_new_index_version_is_noticed(make_engine, make_app, settings) -> None:
    app = make_app(make_engine())
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.status.state == "ready")
        await ask(pilot, "Kapan Putin mengunjungi Korea Utara?")
        (settings.seeds_dir / "001_banjir.txt").write_text(FLOOD, encoding="utf-8")
        other = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
        other.reindex()  # another process, as `qa index --watch` is
        await wait_for(pilot, lambda: app.status.index.startswith("2 articles"), timeout=15)
        assert any("new index version" in n.message for n in app._notifications)
