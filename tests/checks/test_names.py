"""Rewrites of names, through the registry (the functions' own cases are in
tests/test_grounding.py)."""

from __future__ import annotations

from qa.checks import BY_NAME
from qa.prompting import Passage
from tests.fakes import context


def _run(name: str, question: str, passages: list[Passage], text: str) -> str | None:
    return BY_NAME[name].run(context(question, passages), text)


def test_initials() -> None:
    book = [Passage(1, "b.txt", "B", 0, 50, "Buku karya Samuel P Huntington terbit 1996.")]
    assert _run("rewrite.initials", "Siapa?", book, "Oleh Samuel P. Huntington. [1]") == (
        "Oleh Samuel P Huntington. [1]"
    )


def test_full_names() -> None:
    egypt = [Passage(1, "e.txt", "E", 0, 80, "Atas nama Presiden Mesir Hosni Mubarak, katanya.")]
    who = "Siapakah Presiden Mesir sekarang?"
    assert _run("rewrite.full-names", who, egypt, "Presiden Mesir adalah Mubarak. [1]") == (
        "Presiden Mesir adalah Hosni Mubarak. [1]"
    )


def test_abbreviations() -> None:
    api = [Passage(1, "t.txt", "T", 0, 80, "Ketua Asosiasi Pertekstilan Indonesia (API) datang.")]
    answer = "Dia Ketua Asosiasi Pertekstilan Indonesia. [1]"
    assert _run("rewrite.abbreviations", "Siapa dia?", api, answer) == (
        "Dia Ketua Asosiasi Pertekstilan Indonesia (API). [1]"
    )


def test_spellings() -> None:
    old = [Passage(1, "s.txt", "S", 0, 40, "Presiden Soeharto meresmikan waduk itu.")]
    assert _run("rewrite.spellings", "Siapa?", old, "Presiden Suharto. [1]") == (
        "Presiden Soeharto. [1]"
    )


def test_titles() -> None:
    than = [Passage(1, "m.txt", "M", 0, 60, "Pemimpin junta, Jenderal Than Shwe, menolak.")]
    assert _run("rewrite.titles", "Siapa pemimpin junta?", than, "Than Shwe. [1]") == (
        "Jenderal Than Shwe. [1]"
    )
