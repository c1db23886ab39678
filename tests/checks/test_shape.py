"""An answer of another shape than asked is refused, through the registry (the function's own
cases are in tests/test_grounding.py)."""

from __future__ import annotations

from qa.checks import BY_NAME
from qa.prompting import Passage
from tests.fakes import context

VISIT = [Passage(1, "a.txt", "A", 0, 60, "Putin mengunjungi Pyongyang 24 tahun lalu.")]


def test_shape() -> None:
    check = BY_NAME["refuse.shape"]
    days = context("Berapa hari Putin berada di Pyongyang?", VISIT)
    assert "day" in (check.run(days, "24 tahun lalu. [1]") or "")
    years = context("Berapa tahun lalu Putin mengunjungi Pyongyang?", VISIT)
    assert check.run(years, "24 tahun lalu. [1]") is None


def test_shape_is_the_users_question() -> None:
    """A translation may change the shape: the question as asked is judged."""
    read = context("How many days did Putin stay?", VISIT, "en", asked_as="Kapan Putin datang?")
    assert BY_NAME["refuse.shape"].run(read, "24 years ago. [1]") is None
