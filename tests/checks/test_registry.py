"""The registry: every check named, in one order, switchable, and reported on the answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qa.answer import Replaced
from qa.checks import BY_NAME, ORDER, disabled_checks
from qa.checks.registry import check
from qa.engine import Engine
from qa.errors import InputError
from qa.prompting import REFUSAL
from tests.fakes import FakeEmbedder, ScriptedGenerator

HERE = Path(__file__).resolve().parent


def test_every_check_is_named_by_its_phase_and_says_why() -> None:
    assert len(ORDER) == len(BY_NAME) == 25
    for c in ORDER:
        assert re.fullmatch(rf"{c.phase}\.[a-z]+(?:-[a-z]+)*", c.name), c.name
        assert c.why and c.languages <= {"id", "en"}
    phases = [c.phase for c in ORDER]
    assert phases == sorted(phases, key=["answer", "rewrite", "refuse", "hold", "retry"].index)


def test_every_check_has_a_test_naming_it() -> None:
    """Adding a check is one function, one line in ORDER and one test in tests/checks/."""
    others = [p for p in HERE.glob("test_*.py") if p.name != Path(__file__).name]
    tests = "".join(p.read_text(encoding="utf-8") for p in others)
    untested = [c.name for c in ORDER if f'"{c.name}"' not in tests]
    assert untested == []


def test_a_check_name_must_start_with_its_phase() -> None:
    with pytest.raises(ValueError, match="starts with rewrite"):
        check("refuse.dates", "rewrite")


def test_disabled_checks_are_named_and_an_unknown_name_is_an_error() -> None:
    assert disabled_checks("rewrite.dates, refuse.shape,") == {"rewrite.dates", "refuse.shape"}
    assert disabled_checks("") == frozenset()
    with pytest.raises(InputError, match=r"unknown answer check refuse\.nope; the checks are: "):
        disabled_checks("refuse.nope")


QUESTION = "Berapa hari Putin berada di Pyongyang?"  # "how many days": "24 tahun" is a guess
GUESS = "Putin mengunjungi Pyongyang 24 tahun lalu. [1]"


def _engine(settings, *replies: str, off: str = "") -> tuple[Engine, ScriptedGenerator]:
    generator = ScriptedGenerator(*replies)
    engine = Engine(
        settings.with_overrides(disable_checks=off), embedder=FakeEmbedder(), generator=generator
    )
    engine.reindex()
    return engine, generator


def test_an_answer_says_which_check_refused_it_and_why(settings) -> None:
    engine, _ = _engine(settings, GUESS)
    answer = engine.answer(QUESTION)
    assert answer.refused and answer.answer == REFUSAL["id"]
    assert [c.name for c in answer.checks] == ["refuse.shape"]
    assert "day" in answer.checks[0].reason
    assert answer.as_json()["checks"] == [c.as_json() for c in answer.checks]


def test_a_check_switched_off_does_not_fire(settings) -> None:
    engine, _ = _engine(settings, GUESS, off="refuse.shape")
    answer = engine.answer(QUESTION)
    assert not answer.refused and "24 tahun" in answer.answer
    assert "refuse.shape" not in [c.name for c in answer.checks]


def test_an_unknown_check_in_the_settings_is_a_user_error(settings) -> None:
    engine, _ = _engine(settings, GUESS, off="refuse.typo")
    with pytest.raises(InputError, match="unknown answer check"):
        engine.ask(QUESTION)


def test_a_second_try_is_an_event_and_the_retry_is_recorded(settings) -> None:
    """The first try says the question back; what was shown is replaced by the second."""
    engine, generator = _engine(
        settings,
        "Menggelar karpet merah untuk Putin.",
        "Korea Utara menggelar karpet merah untuk Putin. [1]",
    )
    stream = engine.ask("Negara mana yang menggelar karpet merah untuk Putin?")
    events = list(stream)
    replaced = [e for e in events if isinstance(e, Replaced)]
    assert replaced == [Replaced("second try")] and "\n\n" not in "".join(
        e for e in events if isinstance(e, str)
    )
    answer = stream.answer
    assert answer.answer.startswith("Korea Utara") and not answer.refused
    assert "retry.says-question-back" in [c.name for c in answer.checks]
    assert generator.avoided[0][0] == "Menggelar"


def test_qa_ask_json_lists_the_checks(monkeypatch: pytest.MonkeyPatch, tmp_path, seeds) -> None:
    import contextlib
    import io

    import qa.cli

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        qa.cli,
        "make_engine",
        lambda s: Engine(s, embedder=FakeEmbedder(), generator=ScriptedGenerator(GUESS)),
    )
    paths = ["--index", str(tmp_path / "idx"), "--seeds", str(seeds)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert qa.cli.main(["index", *paths, "--quiet", "--no-prefill"]) == 0
        out.truncate(0)
        out.seek(0)
        assert qa.cli.main(["ask", *paths, "--json", QUESTION]) == 0
    data = json.loads(out.getvalue())
    assert data["refused"] and data["checks"][0]["name"] == "refuse.shape"
    assert set(data["checks"][0]) == {"name", "reason"}


def test_qa_eval_takes_disable_checks(monkeypatch: pytest.MonkeyPatch, tmp_path, seeds) -> None:
    import contextlib
    import io

    import qa.cli

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        qa.cli,
        "make_engine",
        lambda s: Engine(s, embedder=FakeEmbedder(), generator=ScriptedGenerator(GUESS)),
    )
    items = tmp_path / "q.jsonl"
    items.write_text(json.dumps({"id": "x", "q": QUESTION, "a": ["24 tahun"]}) + "\n")
    paths = ["--index", str(tmp_path / "idx"), "--seeds", str(seeds)]
    details = tmp_path / "details.jsonl"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert qa.cli.main(["index", *paths, "--quiet", "--no-prefill"]) == 0
        assert qa.cli.main(["eval", *paths, "--details", str(details), str(items)]) == 0
        row = json.loads(details.read_text())
        assert not row["correct"] and row["checks"][0]["name"] == "refuse.shape"
        off = ["--disable-checks", "refuse.shape", "--details", str(details)]
        assert qa.cli.main(["eval", *paths, *off, str(items)]) == 0
        assert json.loads(details.read_text())["correct"]
        code = qa.cli.main(["eval", *paths, "--disable-checks", "refuse.nope", str(items)])
    assert code == 2 and "unknown answer check refuse.nope" in err.getvalue()
