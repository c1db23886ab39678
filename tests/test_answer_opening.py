"""Which questions get an answer opening, and what it is (seed and facqa questions)."""

import pytest

from qa.answer_opening import answer_opening, naming_opening


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


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        (  # the auxiliary dropped, the verb takes its -s; "doing" stands for the answer (s048)
            "What does Putin want to show he can keep doing despite the international arrest "
            "warrant?",
            "Putin wants to show he can keep",
        ),
        (  # a clause after the gap is left for the answer to come before
            "What does North Korea lack access to because of its nuclear and missile programs?",
            "North Korea lacks access to",
        ),
        (  # what is asked is the subject of "will fail": the opening stops at the verb
            "What does Easley hope will fail if sanctions are applied quickly?",
            "Easley hopes",
        ),
        (
            "Besides global trade, what does Easley say the alignment of these countries "
            "threatens?",
            "Besides global trade, Easley says the alignment of these countries threatens",
        ),
        (  # "do" with two names: the verb stays as it is
            "What do Russia and North Korea want to show the world?",
            "Russia and North Korea want to show the world",
        ),
        (  # an adverb before the verb
            "What does Putin possibly want to supply to attract North Korean workers?",
            "Putin possibly wants to supply to attract North Korean workers",
        ),
        ("What does Putin try to do?", "Putin tries to"),
        ("What does Zinberg stress?", "Zinberg stresses"),
        # the subject must be a name; other shapes need the words moved
        ("What does the war in Ukraine create a great need for?", None),
        ("What kind of system does Putin want to build for international trade?", None),
        ("Who called the alignment a threat to global trade?", None),
        ("What did Putin thank North Korea for?", None),  # the past needs irregular verbs
    ],
)
def test_english_answer_opening(question: str, opening: str | None) -> None:
    assert answer_opening(question, "en") == opening


@pytest.mark.parametrize(
    ("question", "language", "opening"),
    [
        (
            "Siapa yang menyebut penggabungan negara-negara tersebut sebagai ancaman?",
            "id",
            "Yang menyebut penggabungan negara-negara tersebut sebagai ancaman adalah",
        ),
        (
            "Menurut Lim, siapakah yang akan menjanjikan lebih banyak peluru?",
            "id",
            "Menurut Lim, yang akan menjanjikan lebih banyak peluru adalah",
        ),
        (  # facqa f0331: "Siapakah <who> yang ...?"
            "Siapakah juara bertahan yang dijungkalkan Sugianto Hoho Setiawan?",
            "id",
            "Juara bertahan yang dijungkalkan Sugianto Hoho Setiawan adalah",
        ),
        ("Siapa nama pilot pesawat itu?", "id", None),  # it has its first opening
        ("Pada siapakah Wakidi sempat belajar?", "id", None),  # the question word mid-way
        ("Who called the alignment a threat?", "en", None),
    ],
)
def test_naming_opening(question: str, language: str, opening: str | None) -> None:
    assert naming_opening(question, language) == opening
