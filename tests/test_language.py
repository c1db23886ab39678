"""Question language: what decides the answer's language and whether a question is translated."""

import json
from pathlib import Path

import pytest

from qa.language import question_language

EVAL = Path(__file__).parent / "eval"


@pytest.mark.parametrize(
    "question",
    [
        "Siapa pengarang buku The Clash of Civilizations and The Remaking of World Order (1996)?",
        "siapa nama sutradara film Working to the Death",
        "Kemana pesawat Mandala Airlines RI-020 rute Jakarta-Jambi return to base/RTB?",
        "Di kota mana dia bekerja?",
        "Perusahaan itu bernama apa?",
    ],
)
def test_indonesian_questions_quoting_english_titles_stay_indonesian(question: str) -> None:
    assert question_language(question) == "id"


@pytest.mark.parametrize(
    "question",
    [
        "Who wrote the book Benturan Peradaban?",
        "In which city does he work?",
        "What did Putin say about the Korea Utara visit?",
    ],
)
def test_english_questions_with_indonesian_names_stay_english(question: str) -> None:
    assert question_language(question) == "en"


def test_the_labelled_evaluation_questions_keep_their_language() -> None:
    rows = [json.loads(line) for line in (EVAL / "seed_qa.jsonl").read_text().splitlines()]
    rows += [
        {**json.loads(line), "lang": "en"}
        for line in (EVAL / "facqa_en_sample.jsonl").read_text().splitlines()
    ]
    for row in rows:
        for question in row.get("turns") or [row["q"]]:
            assert question_language(question) == row["lang"], question
