"""Rewrites of numbers and dates, through the registry (the functions' own cases are in
tests/test_grounding.py)."""

from __future__ import annotations

from qa.checks import BY_NAME
from qa.prompting import Passage
from tests.fakes import context


def _run(name: str, question: str, passages: list[Passage], text: str, language: str = "id"):
    return BY_NAME[name].run(context(question, passages, language), text)


def test_rejoined_numbers() -> None:
    votes = [Passage(1, "b.txt", "B", 0, 52, "Ayman Nour memperoleh 7,6 persen dari 1.250 suara.")]
    assert _run("rewrite.rejoined-numbers", "Berapa?", votes, "Dari 1. 250 suara.") == (
        "Dari 1.250 suara."
    )


def test_dates() -> None:
    mou = [Passage(1, "c.txt", "C", 0, 60, "MoU itu ditandatangani di Banda Aceh, Jumat (9/9).")]
    when = "Kapan MoU itu ditandatangani?"
    assert _run("rewrite.dates", when, mou, "Pada Jumat, 9 September 2019. [1]") == (
        "Pada Jumat, 9/9. [1]"
    )
    assert _run("rewrite.dates", "Tahun berapa MoU itu?", mou, "9 September 2019.") == (
        "9 September 2019."
    )


def test_number_words() -> None:
    les = [Passage(1, "h.txt", "H", 0, 60, "Sekitar dua kilometer berada di Desa Les. Ada 3 pura.")]
    assert _run("rewrite.number-words", "Berapa?", les, "2 kilometer.") == "Dua kilometer."
    shells = [Passage(1, "a.txt", "A", 0, 60, "Besides the five million shells, 3 guns.")]
    assert _run("rewrite.number-words", "How many?", shells, "5 million shells.", "en") == (
        "Five million shells."
    )


def test_qualifiers() -> None:
    krakatau = [Passage(1, "k.txt", "K", 0, 60, "Pertemuan dihadiri sekitar 1.400 pakar.")]
    assert _run("rewrite.qualifiers", "Berapa?", krakatau, "Dihadiri 1.400 pakar.") == (
        "Dihadiri sekitar 1.400 pakar."
    )
    assert not BY_NAME["rewrite.qualifiers"].applies("en")


def test_counts() -> None:
    iaea = [Passage(1, "i.txt", "I", 0, 80, "Dari 35 orang anggota dewan, ada 12 anggota abstain.")]
    assert _run("rewrite.counts", "Berapa?", iaea, "Sebanyak 12 orang anggota abstain.") == (
        "Sebanyak 12 anggota abstain."
    )


def test_counted() -> None:
    kalteng = [Passage(1, "k.txt", "K", 0, 40, "Kalimantan Tengah punya 1.336 desa.")]
    asked = "Berapakah jumlah desa di Kalimantan Tengah?"
    assert _run("rewrite.counted", asked, kalteng, "Jumlah desa adalah 1.336. [1]") == (
        "Jumlah desa adalah 1.336 desa. [1]"
    )
