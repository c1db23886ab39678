"""Which questions get an answer opening, and what it is (seed and facqa questions)."""

import pytest

from qa.answer_opening import answer_opening


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        (  # the question word ends it: the opening stops at the gap (seed s027)
            "Menurut Putin, tatanan yang dipaksakan Washington pada hakikatnya hanyalah apa?",
            "Menurut Putin, tatanan yang dipaksakan Washington pada hakikatnya hanyalah",
        ),
        (
            "Dengan berpihak pada Moskow, Kim dapat mengurangi kebergantungan politiknya pada "
            "negara mana?",
            "Dengan berpihak pada Moskow, Kim dapat mengurangi kebergantungan politiknya pada "
            "negara",
        ),
        (  # "Apa nama ...": the gap comes after "adalah"
            "Apa nama latin dari kambing hutan?",
            "Nama latin dari kambing hutan adalah",
        ),
        (  # a clause before the question word stays in front
            "Menurut Lim, siapa nama pemimpin Korea Utara?",
            "Menurut Lim, nama pemimpin Korea Utara adalah",
        ),
        # "Apa yang ...?" and "Siapa yang ...?" get none: measured, it did not gain
        ("Apa yang dibutuhkan pasar tenaga kerja Rusia akibat perang?", None),
        ("Siapa yang menyebut penggabungan negara-negara tersebut sebagai ancaman?", None),
        (
            "Apakah nama lapangan terbang di Kabupaten Padang Pariaman?",
            "Nama lapangan terbang di Kabupaten Padang Pariaman adalah",
        ),
        (  # the model reads questions without "now"; so does the opening
            "Siapa nama Gubernur Riau sekarang?",
            "Nama Gubernur Riau adalah",
        ),
        ("Siapa presiden Prancis saat ini?", None),  # "Siapa <title>": the words need moving
        ("Di kota mana Ewha Womans University berada?", None),  # the question word mid-way
        ("Kapan Putin terakhir kali mengunjungi Korea Utara?", None),  # "when" has its own hint
        ("Apakah Putin datang ke Pyongyang?", None),  # yes or no
        ("Siapa?", None),
    ],
)
def test_answer_opening(question: str, opening: str | None) -> None:
    assert answer_opening(question, "id") == opening


def test_no_opening_for_english_questions() -> None:
    """English questions put their words in another order, and were not measured."""
    assert answer_opening("Who called the alignment a threat to global trade?", "en") is None
