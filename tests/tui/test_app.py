"""The chat driven headless with ``App.run_test()`` over the fake embedder and generator."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from qa.conversations import CANCELLED, DONE, ERROR, STREAMING
from qa.errors import ModelError
from tests.fakes import EchoingGenerator, FakeGenerator
from tests.tui.conftest import FIXED_TIMINGS, FailingGenerator, ask, wait_for
from tui.app import QAApp
from tui.screens import ConversationsScreen, HelpScreen, PassageScreen
from tui.widgets import AnswerView, QuestionView

pytestmark = pytest.mark.anyio

QUESTION = "Kapan terakhir kali Putin mengunjungi Korea Utara?"
REPLY = "Putin terakhir kali mengunjungi Korea Utara pada tahun 2000 [2]."
LONG_REPLY = " ".join(["kata"] * 200)


def answers(app: QAApp) -> list[AnswerView]:
    return app.chat.answers()


async def test_window_shows_loading_then_model_and_index(make_engine, make_app) -> None:
    app = make_app(make_engine(FakeGenerator(reply=REPLY)))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.status.state == "ready")
        assert app.status.model == "fake-model"
        assert app.status.index == "1 article · 13 chunks"
        assert app.focused is app.query_one("#question", Input)


async def test_answer_streams_in_with_sources(make_engine, make_app, reopen_store) -> None:
    generator = FakeGenerator(reply=REPLY, delay=0.1)
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION, wait=False)
        view = answers(app)[0]
        assert [q.question for q in app.query(QuestionView)] == [QUESTION]
        await wait_for(pilot, lambda: bool(view.text) and view.live)  # part of it, still going
        assert view.text != REPLY
        assert app.sources.sources, "passages are listed while the model writes"
        await wait_for(pilot, lambda: not app.answering)
        assert view.text == REPLY
        assert view.exchange.status == DONE
        assert [s.n for s in view.sources] == [2]
        assert app.sources.sources == view.sources
        assert "Sources · answer 1" in app.sources.heading
        meta = str(view.query_one(".meta").render())
        assert "fake-model" in meta and FIXED_TIMINGS in meta and "1 source" in meta
        assert app.status.state == "ready"
    saved = reopen_store().conversations()
    assert [c.title for c in saved] == [QUESTION]
    (exchange,) = reopen_store().exchanges(saved[0].id)
    assert (exchange.question, exchange.answer, exchange.status) == (QUESTION, REPLY, DONE)
    assert exchange.sources == view.sources


async def test_follow_up_is_asked_with_the_conversation(make_engine, make_app) -> None:
    generator = FakeGenerator()
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, "Siapa Yakov Zinberg?")
        first = answers(app)[0].text
        assert "Zinberg" in first
        await ask(pilot, "Di kota mana dia bekerja?")
    follow_up_prompt = generator.prompts[-1]
    assert "Siapa Yakov Zinberg?" in follow_up_prompt
    assert "Di kota mana dia bekerja?" in follow_up_prompt
    assert follow_up_prompt.index("Siapa Yakov Zinberg?") < follow_up_prompt.index("Di kota mana")
    assert "Zinberg" in generator.prompts[-1].rsplit("<|im_start|>assistant", 2)[-2]


async def test_escape_stops_the_answer_and_keeps_the_ui_responsive(
    make_engine, make_app, reopen_store
) -> None:
    generator = FakeGenerator(reply=LONG_REPLY, delay=0.02)
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION, wait=False)
        view = answers(app)[0]
        await wait_for(pilot, lambda: len(view.text) > 10)
        await pilot.press("escape")
        assert not app.answering, "the UI stops at once, the worker follows"
        await pilot.press(*"masih bisa")  # typing works while the worker winds down
        assert app.query_one("#question", Input).value == "masih bisa"
        await wait_for(pilot, lambda: not view.live)
        assert view.exchange.status == CANCELLED
        assert 0 < len(view.text) < len(LONG_REPLY)
        assert "stopped" in str(view.query_one(".meta").render())
    assert generator.cancelled.is_set(), "the model was told to stop"
    (exchange,) = reopen_store().exchanges(view.exchange.conversation_id)
    assert exchange.status == CANCELLED and exchange.answer == view.text


async def test_a_new_question_cancels_the_running_one(make_engine, make_app) -> None:
    generator = FakeGenerator(reply=LONG_REPLY, delay=0.02)
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION, wait=False)
        first = answers(app)[0]
        await wait_for(pilot, lambda: bool(first.text))
        generator.reply = REPLY
        await ask(pilot, "Siapa Yakov Zinberg?", timeout=15)
        second = answers(app)[1]
        await wait_for(pilot, lambda: not first.live)
        assert first.exchange.status == CANCELLED
        assert second.exchange.status == DONE and second.text == REPLY
        assert app._turns[-1].question == "Siapa Yakov Zinberg?"
        assert len(app._turns) == 1, "a stopped answer is not part of the history"


async def test_new_conversation_starts_over(make_engine, make_app, reopen_store) -> None:
    generator = FakeGenerator(reply=REPLY)
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION)
        first_id = app.conversation.id if app.conversation else None
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert answers(app) == [] and app.query("#welcome")
        assert app.conversation is None and app.sub_title == "new conversation"
        assert not app.sources.sources
        await ask(pilot, "Siapa Yakov Zinberg?")
        assert app.conversation is not None and app.conversation.id != first_id
    assert QUESTION not in generator.prompts[-1], "the old conversation is not history any more"
    assert len(reopen_store().conversations()) == 2


async def test_reopen_a_saved_conversation_and_continue_it(make_engine, make_app) -> None:
    generator = FakeGenerator(reply=REPLY)
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION)
        await pilot.press("ctrl+n")
        await ask(pilot, "Siapa Yakov Zinberg?")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        listing = app.screen.query_one(OptionList)
        assert listing.option_count == 2  # newest first
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConversationsScreen))
        assert [q.question for q in app.query(QuestionView)] == [QUESTION]
        (view,) = answers(app)
        assert view.text == REPLY and not view.live
        assert app.sources.sources == view.sources and view.sources
        assert FIXED_TIMINGS in str(view.query_one(".meta").render())
        await ask(pilot, "Di kota mana dia bekerja?")
        assert len(answers(app)) == 2
    assert QUESTION in generator.prompts[-1], "the reopened conversation is the history"


async def test_an_answer_cut_by_a_crash_reopens_as_interrupted(
    make_engine, make_app, reopen_store
) -> None:
    store = reopen_store()  # what a killed app left behind: the question and a partial answer
    conversation = store.create(QUESTION)
    exchange = store.add_question(conversation.id, QUESTION)
    store.save_partial(exchange.id, "Putin terakhir kali")
    app = make_app(make_engine(FakeGenerator(reply=REPLY)))
    async with app.run_test() as pilot:
        await app.open_conversation(conversation.id)
        await pilot.pause()
        (view,) = answers(app)
        assert view.text == "Putin terakhir kali"
        assert "interrupted" in str(view.query_one(".meta").render())
        assert app._turns == [], "an interrupted answer is not history"
    assert reopen_store().exchange(exchange.id).status == STREAMING


async def test_missing_index_shows_a_notice_and_reindex_fixes_it(make_engine, make_app) -> None:
    app = make_app(make_engine(FakeGenerator(reply=REPLY), index=False))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: "⚠" in app.status.state)
        assert app.status.state == "⚠ No index yet"
        assert (app.status.index, app.status.model) == ("none", "fake-model")
        notice = [n for n in app._notifications if n.severity == "error"][-1]
        assert "qa index" in notice.message and "Ctrl+R" in notice.message
        await ask(pilot, QUESTION)
        (view,) = answers(app)
        assert view.exchange.status == ERROR and view.has_class("failed")
        assert "Ctrl+R" in str(view.query_one(".meta").render())
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.status.state == "ready")
        assert app.status.index == "1 article · 13 chunks"
        await ask(pilot, QUESTION)
        assert answers(app)[-1].exchange.status == DONE


async def test_model_failure_is_a_notice_not_a_crash(make_engine, make_app) -> None:
    generator = FailingGenerator(good=0, error=ModelError("model file x.gguf is corrupt"))
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION)
        (view,) = answers(app)
        assert view.exchange.status == ERROR
        assert "corrupt" in view.exchange.error
        assert any("--model fast" in n.message for n in app._notifications)
        assert app.is_running


async def test_generation_failure_keeps_the_partial_answer(
    make_engine, make_app, reopen_store
) -> None:
    app = make_app(make_engine(FailingGenerator(good=2)))
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION)
        (view,) = answers(app)
        assert view.exchange.status == ERROR
        assert view.text == "Putin datang"
    saved = reopen_store().exchange(view.exchange.id)
    assert (saved.status, saved.answer) == (ERROR, "Putin datang")


async def test_a_source_opens_highlighted_in_its_article(make_engine, make_app) -> None:
    app = make_app(make_engine(FakeGenerator(reply=REPLY)))
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, QUESTION)
        source = app.sources.sources[0]
        app.query_one("#source-list").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PassageScreen))
        passage = app.screen.query_one("#passage")
        assert str(passage.render()) == source.text
        assert app.screen.query(".context"), "the rest of the article is shown around it"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PassageScreen))


async def test_clicking_a_citation_selects_its_source(make_engine, make_app) -> None:
    reply = (
        "Putin terakhir kali mengunjungi negara itu pada tahun 2000 [2]. "
        "Yakov Zinberg adalah profesor di Universitas Kokushikan di Tokyo [7]."
    )
    app = make_app(make_engine(FakeGenerator(reply=reply)))
    async with app.run_test() as pilot:
        await ask(pilot, "Siapa Yakov Zinberg?")
        (view,) = answers(app)
        assert [s.n for s in app.sources.sources] == [2, 7]
        view.post_message(AnswerView.CitationClicked(view, 7))
        await pilot.pause()
        assert app.query_one("#source-list", OptionList).highlighted == 1


async def test_select_earlier_answers_and_copy_and_export(
    make_engine, make_app, tmp_path: Path
) -> None:
    generator = FakeGenerator(reply=REPLY)
    app = make_app(make_engine(generator), export_dir=tmp_path / "out")
    async with app.run_test() as pilot:
        await ask(pilot, QUESTION)
        generator.reply = "Dia bekerja di Tokyo [7]."
        await ask(pilot, "Di kota mana dia bekerja?")
        assert app.sources.heading == "Sources · answer 2"
        await pilot.press("ctrl+up")
        assert app.sources.heading == "Sources · answer 1"
        assert [s.n for s in app.sources.sources] == [2]
        await pilot.press("ctrl+y")
        assert app.clipboard == REPLY
        await pilot.press("ctrl+s")
        await pilot.pause()
    (exported,) = (tmp_path / "out").glob("*.md")
    text = exported.read_text(encoding="utf-8")
    assert f"## {QUESTION}" in text and REPLY in text and "Tokyo [7]" in text
    assert "**Sources**" in text and "[2] *Korea Utara menggelar karpet merah untuk Putin*" in text


async def test_help_screen_opens_and_closes(make_engine, make_app) -> None:
    app = make_app(make_engine())
    async with app.run_test() as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_empty_question_is_refused_politely(make_engine, make_app) -> None:
    app = make_app(make_engine())
    async with app.run_test() as pilot:
        await ask(pilot, "   ", wait=False)
        assert answers(app) == []
        assert any("empty" in n.message for n in app._notifications)


async def test_reindex_picks_up_a_new_article_for_the_next_question(
    make_engine, make_app, settings
) -> None:
    generator = FakeGenerator()  # quotes the first passage sharing a word with the question
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.status.state == "ready")
        (settings.seeds_dir / "001_banjir.txt").write_text(
            "Banjir melanda Semarang\n\nSebanyak 1.250 warga Semarang mengungsi ke masjid.\n",
            encoding="utf-8",
        )
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.status.index == "2 articles · 14 chunks")
        await wait_for(pilot, lambda: app.status.state == "ready")
        assert any("added 1" in n.message for n in app._notifications)
        await ask(pilot, "Berapa warga Semarang mengungsi?")
        (view,) = answers(app)
        assert "1.250" in view.text
        assert view.sources[0].doc == "001_banjir.txt"


async def test_the_mouse_selects_answers_and_opens_sources(make_engine, make_app) -> None:
    generator = FakeGenerator(reply=REPLY)
    app = make_app(make_engine(generator))
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, QUESTION)
        generator.reply = "Dia bekerja di Tokyo [7]."
        await ask(pilot, "Di kota mana dia bekerja?")
        first, _second = answers(app)
        await pilot.click(first)
        assert app.sources.heading == "Sources · answer 1"
        await pilot.click("#source-list", offset=(2, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, PassageScreen))


async def test_an_answer_saying_the_question_back_is_replaced_by_the_second_try(
    make_engine, make_app, reopen_store
) -> None:
    app = make_app(make_engine(EchoingGenerator()))
    async with app.run_test() as pilot:
        await ask(pilot, "Negara mana yang menggelar karpet merah untuk Putin?")
        view = answers(app)[0]
        assert view.text.startswith("Korea Utara") and "Menggelar" not in view.text
    saved = reopen_store().conversations()
    (exchange,) = reopen_store().exchanges(saved[0].id)
    assert exchange.answer == view.text and exchange.status == DONE


async def test_a_refused_answer_says_which_check_refused_it(make_engine, make_app) -> None:
    """The answer checks that changed an answer reach the UI (issue 35): a guess of the wrong
    shape is refused, and the selected answer's panel says by which check and why."""
    generator = FakeGenerator(reply="Putin mengunjungi Pyongyang 24 tahun lalu [1].")
    app = make_app(make_engine(generator))
    async with app.run_test() as pilot:
        await ask(pilot, "Berapa hari Putin berada di Pyongyang?")
        view = answers(app)[0]
        assert view.exchange.refused and [c.name for c in view.checks] == ["refuse.shape"]
        note = str(app.sources.query_one(".empty").render())
        assert "refuse.shape" in note and "do not answer" in note
