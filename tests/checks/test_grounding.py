"""Refusals of answers the passages do not ground, and the aside rewrite, through the registry
(the functions' own cases are in tests/test_grounding.py)."""

from __future__ import annotations

from qa.checks import BY_NAME
from qa.prompting import Passage
from tests.fakes import context

PUTIN = [Passage(1, "a.txt", "A", 0, 60, "Putin tiba di Pyongyang, Korea Utara, pada tahun 2000.")]


def test_asides() -> None:
    krc = [Passage(1, "k.txt", "K", 0, 60, "KRC didirikan oleh JE Teysmann di kaki Gunung Gede.")]
    asked = "Lembaga apakah yang didirikan oleh JE Teysmann?"
    guess = "KRC (Konservasi Reptil dan Kebun) didirikan oleh JE Teysmann di kaki Gunung Gede. [1]"
    assert BY_NAME["rewrite.asides"].run(context(asked, krc), guess) == (
        "KRC didirikan oleh JE Teysmann di kaki Gunung Gede. [1]"
    )


def test_unmentioned_topic() -> None:
    check = BY_NAME["refuse.unmentioned-topic"]
    off_topic = context("Siapa yang memenangkan Piala Dunia FIFA 2022?", PUTIN)
    assert "never mention" in (check.run(off_topic, "Korea Utara. [1]") or "")
    assert check.run(context("Kapan Putin tiba di Pyongyang?", PUTIN), "Tahun 2000. [1]") is None


def test_unmentioned_title() -> None:
    check = BY_NAME["refuse.unmentioned-title"]
    scholars = [Passage(1, "s.txt", "S", 0, 80, "Kata Leif-Eric Easley, profesor di Seoul.")]
    lavrov = [Passage(1, "l.txt", "L", 0, 80, "Menlu Rusia Sergei Lavrov ikut datang.")]
    question = "Siapa nama menteri luar negeri Rusia yang mendampingi Putin?"
    assert check.run(context(question, scholars), "Leif-Eric Easley. [1]")
    assert check.run(context(question, lavrov), "Sergei Lavrov. [1]") is None


def test_kind_never_mentioned() -> None:
    """Only when the passages are every article: a search's best may miss the one it is in."""
    check = BY_NAME["refuse.kind-never-mentioned"]
    question = "Apa nama hotel tempat Putin menginap?"
    assert check.run(context(question, PUTIN, whole_corpus=True), "Hotel Pyongyang. [1]")
    assert check.run(context(question, PUTIN), "Hotel Pyongyang. [1]") is None


def test_unsupported_names() -> None:
    check = BY_NAME["refuse.unsupported-names"]
    question = "Siapa presiden Prancis?"
    reason = check.run(context(question, PUTIN), "Presiden Prancis adalah Emmanuel Macron.")
    assert reason and "Emmanuel" in reason and "Macron" in reason
    assert check.run(context("Kapan Putin tiba?", PUTIN), "Putin tiba pada tahun 2000.") is None
    # English answers: refused only when most of what they name is unknown
    english = context("When did Putin arrive?", PUTIN, "en")
    assert check.run(english, "Putin arrived in Pyongyang, North Korea in 2000.") is None
