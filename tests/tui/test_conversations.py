"""The conversations store: every message committed, interrupted answers survive, export."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qa.conversations import (
    CANCELLED,
    DONE,
    ERROR,
    PENDING,
    STREAMING,
    ConversationStore,
    ConversationStoreError,
    conversation_title,
    export_markdown,
    to_markdown,
)
from qa.engine import Source

SOURCE = Source(
    n=2,
    doc="a.txt",
    title="Judul",
    text="Putin datang pada 2000. Lalu pergi.",
    start=10,
    end=45,
    score=0.8,
    cited=True,
    quote_start=10,
    quote_end=33,
)


@pytest.fixture
def store(tmp_path: Path):
    s = ConversationStore(tmp_path / "data" / "c.sqlite3")
    yield s
    s.close()


def test_question_and_partial_answer_survive_a_kill(tmp_path: Path, store) -> None:
    conversation = store.create("Kapan?")
    exchange = store.add_question(conversation.id, "Kapan Putin datang?")
    assert exchange.status == PENDING
    store.save_partial(exchange.id, "Putin datang", [SOURCE])
    # no finish(): the process died here; a new connection is the next run of the app
    again = ConversationStore(tmp_path / "data" / "c.sqlite3")
    (saved,) = again.exchanges(conversation.id)
    assert (saved.question, saved.answer, saved.status) == (
        "Kapan Putin datang?",
        "Putin datang",
        STREAMING,
    )
    assert saved.interrupted and not saved.complete
    assert saved.sources == (SOURCE,)
    again.close()


def test_finish_records_sources_timings_and_status(store) -> None:
    conversation = store.create("t")
    exchange = store.add_question(conversation.id, "q")
    done = store.finish(
        exchange.id,
        answer="Putin datang pada 2000 [2].",
        status=DONE,
        sources=[SOURCE],
        model="m",
        ttft_ms=400.0,
        total_ms=900.0,
        tokens_per_s=20.0,
    )
    assert done.complete and not done.interrupted
    assert (done.model, done.ttft_ms, done.tokens_per_s) == ("m", 400.0, 20.0)
    (source,) = done.sources
    assert source.quote == "Putin datang pada 2000."
    assert source == SOURCE
    with pytest.raises(ValueError):
        store.finish(exchange.id, answer="", status=STREAMING)


def test_conversations_are_listed_newest_first_with_counts(store) -> None:
    first = store.create("first")
    second = store.create("second")
    store.add_question(second.id, "a")
    store.add_question(first.id, "b")  # touching it makes it the most recent
    store.add_question(first.id, "c")
    listed = store.conversations()
    assert [(c.title, c.questions) for c in listed] == [("first", 2), ("second", 1)]
    assert store.get(second.id).questions == 1
    store.delete(first.id)
    assert [c.title for c in store.conversations()] == ["second"]
    assert store.exchanges(first.id) == []
    with pytest.raises(ConversationStoreError):
        store.get(first.id)


def test_markdown_export_has_questions_answers_and_sources(tmp_path: Path, store) -> None:
    conversation = store.create("Putin di Pyongyang")
    a = store.add_question(conversation.id, "Kapan Putin datang?")
    store.finish(
        a.id, answer="Pada 2000 [2].", status=DONE, sources=[SOURCE], model="m", ttft_ms=500
    )
    b = store.add_question(conversation.id, "Lalu?")
    store.finish(b.id, answer="Lalu", status=CANCELLED)
    c = store.add_question(conversation.id, "Dan?")
    store.finish(c.id, answer="", status=ERROR, error="model broke")
    d = store.add_question(conversation.id, "Terakhir?")
    store.save_partial(d.id, "Sebagian")
    path = export_markdown(store, conversation.id, tmp_path / "out" / "c.md")
    text = path.read_text(encoding="utf-8")
    assert text == to_markdown(store.get(conversation.id), store.exchanges(conversation.id))
    assert text.startswith("# Putin di Pyongyang\n")
    assert "## Kapan Putin datang?\n\nPada 2000 [2].\n" in text
    assert "- [2] *Judul* — `a.txt`, characters 10–45, score 0.80" in text
    assert "  > Putin datang pada 2000." in text
    assert "_m: first token 0.5 s_" in text
    assert "_(stopped before the end)_" in text
    assert "_(error: model broke)_" in text
    assert "Sebagian\n\n_(interrupted" in text


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConversationStoreError, match="QA_DATA_DIR"):
        ConversationStore(blocker / "sub" / "c.sqlite3")


def test_damaged_sources_do_not_hide_the_conversation(tmp_path: Path, store) -> None:
    conversation = store.create("t")
    exchange = store.add_question(conversation.id, "q")
    store.finish(exchange.id, answer="a", status=DONE, sources=[SOURCE])
    with sqlite3.connect(tmp_path / "data" / "c.sqlite3") as db:
        db.execute("UPDATE exchanges SET sources = 'not json'")
    (saved,) = store.exchanges(conversation.id)
    assert saved.answer == "a" and saved.sources == ()


def test_in_memory_store_and_titles() -> None:
    store = ConversationStore(":memory:")
    conversation = store.create(conversation_title("  Siapa   Yakov\nZinberg? " + "x" * 100))
    assert conversation.title.startswith("Siapa Yakov Zinberg? x")
    assert len(conversation.title) == 60 and conversation.title.endswith("…")
    assert store.conversations()[0].id == conversation.id
    store.close()
