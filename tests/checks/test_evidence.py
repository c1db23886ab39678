"""Citation: the sources of a grounded answer, with the sentence that supports it."""

from __future__ import annotations

from qa.checks import cite
from qa.checks.evidence import find_evidence
from qa.prompting import Passage
from tests.fakes import context

P = [
    Passage(1, "a.txt", "A", 0, 60, "Kim Jong Un ingin menunjukkan pengakuan di dunia."),
    Passage(2, "a.txt", "A", 61, 120, "Putin terakhir kali mengunjungi negara itu tahun 2000."),
]
QUESTION = "Kapan Putin terakhir berkunjung?"


def test_a_supported_citation_is_kept_with_its_quote() -> None:
    text, sources = cite(context(QUESTION, P), "Pada tahun 2000. [2]", P[:1])
    assert text == "Pada tahun 2000. [2]"
    assert [(s.n, s.cited) for s in sources] == [(2, True)]
    assert sources[0].quote.startswith("Putin terakhir kali")


def test_a_missing_or_wrong_citation_cites_the_passage_that_supports_it() -> None:
    for answer in ("Putin terakhir berkunjung pada tahun 2000.", "Pada tahun 2000. [1]"):
        text, sources = cite(context(QUESTION, P), answer, P[:1])
        assert text.endswith("[2]") and [s.n for s in sources if s.cited] == [2]


def test_an_answer_no_passage_supports_falls_back_to_uncited_passages() -> None:
    text, sources = cite(context(QUESTION, P), "Pada tahun 1999.", P[:1])
    assert text == "Pada tahun 1999." and [(s.n, s.cited) for s in sources] == [(1, False)]


# ---------------------------------------- the functions on their own (from tests/test_grounding.py)

THREE = [
    Passage(
        1, "a.txt", "A", 0, 60, "Kim Jong Un ingin menunjukkan pengakuan di dunia kepada rakyat."
    ),
    Passage(
        2, "a.txt", "A", 61, 120, "Putin terakhir kali mengunjungi negara itu pada tahun 2000."
    ),
    Passage(
        3, "a.txt", "A", 121, 190, "Ia mengenang kunjungan terakhirnya ke Pyongyang 24 tahun lalu."
    ),
]


def test_evidence_is_the_sentence_holding_the_answer() -> None:
    ev = find_evidence(
        "Putin terakhir berkunjung pada tahun 2000.", "Kapan Putin berkunjung?", THREE
    )
    assert ev[0].n == 2 and ev[0].start == 61 and ev[0].end == 120
