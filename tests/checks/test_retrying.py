"""When the model is asked again, through the registry (the functions' own cases are in
tests/test_restatement.py and tests/test_grounding.py)."""

from __future__ import annotations

from qa.checks import BY_NAME, retries
from qa.prompting import REFUSAL, Passage
from tests.fakes import context

CARPET = [Passage(1, "a.txt", "A", 0, 60, "Korea Utara menggelar karpet merah untuk Putin.")]
SAID = [
    Passage(1, "a.txt", "A", 0, 120, "“Penggabungan itu merupakan ancaman,” kata Easley. "
            "Polisi menahan dua orang."),
]  # fmt: skip


def test_refusal() -> None:
    ctx = context("Negara mana yang menggelar karpet merah?", CARPET)
    assert BY_NAME["retry.refusal"].run(ctx, REFUSAL["id"])
    assert BY_NAME["retry.refusal"].run(ctx, "Korea Utara. [1]") is None
    # asked about the held-back first words only; the other retries about the rest
    assert [f.name for f in retries(ctx, REFUSAL["id"], first_words=True)] == ["retry.refusal"]
    assert "retry.refusal" not in [f.name for f in retries(ctx, REFUSAL["id"])]


def test_says_question_back() -> None:
    check = BY_NAME["retry.says-question-back"]
    ctx = context("Negara mana yang menggelar karpet merah untuk Putin?", CARPET)
    assert check.run(ctx, "Menggelar karpet merah untuk Putin.")
    assert check.run(ctx, "Korea Utara menggelar karpet merah untuk Putin. [1]") is None
    yes_no = context("Apakah Korea Utara menggelar karpet merah untuk Putin?", CARPET)
    assert check.run(yes_no, "Korea Utara menggelar karpet merah untuk Putin.") is None


def test_gives_no_time() -> None:
    check = BY_NAME["retry.gives-no-time"]
    ctx = context("Kapankah Belanda mengakui proklamasi 17 Agustus 1945?", CARPET)
    assert check.run(ctx, "Belanda mengakui proklamasi 17 Agustus 1945. [1]")
    assert check.run(ctx, "Belanda mengakuinya pada tahun 2005. [1]") is None


def test_names_no_one() -> None:
    check = BY_NAME["retry.names-no-one"]
    ctx = context("Siapa yang menahan dua orang?", SAID)
    assert check.run(ctx, "Polisi menahan dua orang. [1]")
    assert check.run(context("Siapa yang menyebut itu ancaman?", SAID), "Easley. [1]") is None
    assert check.run(ctx, REFUSAL["id"]) is None
