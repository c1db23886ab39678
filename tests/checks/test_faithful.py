"""Answers held to their cited sentence, and questions about the article itself, through the
registry: which check fired and why (the functions' own cases are in tests/test_faithful.py)."""

from __future__ import annotations

import pytest

from qa.engine import Engine
from tests.fakes import FakeEmbedder, ScriptedGenerator


@pytest.fixture
def engine_with(settings):
    def make(*replies: str, off: str = "") -> Engine:
        generator = ScriptedGenerator(*replies)
        engine = Engine(
            settings.with_overrides(disable_checks=off),
            embedder=FakeEmbedder(),
            generator=generator,
        )
        engine.reindex()
        return engine

    return make


def _fired(answer) -> list[str]:
    return [c.name for c in answer.checks]


def test_article_fact(engine_with) -> None:
    answer = engine_with("Artikel ini ditulis oleh Leif-Eric Easley [3].").answer(
        "Siapa penulis artikel ini?"
    )
    assert "Dawud" in answer.answer and _fired(answer) == ["answer.article-fact"]
    refused = engine_with("Penulisnya berusia 40 tahun [1].").answer(
        "Berapa umur penulis artikel ini?"
    )
    assert refused.refused and refused.checks[0].name == "answer.article-fact"
    assert "does not give" in refused.checks[0].reason
    # switched off, the model's answer is checked like any other
    off = engine_with("Artikel ini ditulis oleh Leif-Eric Easley [3].", off="answer.article-fact")
    assert "answer.article-fact" not in _fired(off.answer("Siapa penulis artikel ini?"))


def test_polarity(engine_with) -> None:
    answer = engine_with(
        "Easley mengatakan bahwa sanksi tidak akan mengurangi visi hubungan internasional "
        "Putin-Kim [13]."
    ).answer("Apa yang dikatakan Easley tentang sanksi?")
    assert "segera menerapkan sanksi" in answer.answer
    assert _fired(answer)[-1] == "hold.polarity"


def test_asked_event(engine_with) -> None:
    """A year for "which exact date": the shape check refuses it first; without it, the cited
    sentence lacks the exact date asked for."""
    twice = ("Putin tiba pada tahun 2000 [2].",) * 2  # a second try: the question said back
    question = "Tanggal berapa tepatnya Putin tiba di Pyongyang pada kunjungan tahun 2000?"
    assert engine_with(*twice).answer(question).checks[-1].name == "refuse.shape"
    answer = engine_with(*twice, off="refuse.shape").answer(question)
    assert answer.refused and answer.checks[-1].name == "hold.asked-event"
    assert "exact date" in answer.checks[-1].reason
    kept = engine_with(*twice, off="refuse.shape,hold.asked-event").answer(question)
    assert not kept.refused


def test_asked_party(engine_with) -> None:
    answer = engine_with("Zinberg mengatakannya kepada Leif-Eric Easley [9].").answer(
        "Kepada siapa Zinberg mengatakan bahwa ini adalah kunjungan yang memiliki banyak "
        "potensi ancaman?"
    )
    assert answer.answer.startswith("Babelpos") and _fired(answer)[-1] == "hold.asked-party"
