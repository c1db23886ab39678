"""Which answers only say their question back (real cases from the facqa and seed sets)."""

import pytest

from qa.checks.restatement import asks_for_something, names_no_one, says_question_back


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "Dari satelit manakah, proses peralihan trafik ke Satelit Telkom-2 dilaksanakan "
            "mulai 16 Januari 2006",
            "Proses peralihan trafik ke Satelit Telkom-2 dilaksanakan mulai 16 Januari 2006. [1]",
        ),
        ("Apakah nama kesebelasan sepak bola yang mewakili Surabaya?", "Surabaya. [4]"),
        (
            "Apakah nama hewan di Kalimantan yang mengalami konflik dengan penduduk sekitar hutan "
            "tanaman industri karena habitatnya dirusak?",
            "Hewan-hewan yang mengalami konflik dengan penduduk sekitar hutan tanaman industri di "
            "Kalimantan karena habitatnya dirusak adalah [1].",
        ),
        (
            "Siapa yang menyebut penggabungan negara-negara tersebut sebagai ancaman terhadap "
            "perdagangan dan perdamaian global?",
            "Penggabungan negara-negara tersebut merupakan ancaman terhadap perdagangan dan "
            "perdamaian global. [12]",
        ),
        (
            "Which country in Indonesia experienced 233 deaths due to landslides?",
            "Indonesia experienced 233 deaths due to landslides.",
        ),
        # a second try kept from its first word misspells the question's name: nothing new
        (
            "Siapakah juara bertahan yang dijungkalkan Sugianto Hoho Setiawan di Kejuaraan "
            "Sepeda Gunung Asia XI?",
            "Sagianto Hoho Setiawan adalah juara bertahan di Kejuaraan Sepeda Gunung Asia XI.",
        ),
    ],
)
def test_said_back(question: str, answer: str) -> None:
    assert asks_for_something(question)
    assert says_question_back(question, answer)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Apakah nama kesebelasan sepak bola yang mewakili Surabaya?", "Persebaya Surabaya."),
        # every word is in the question, but "Gunung Kerinci" is a name it does not hold
        (
            "Apa nama gunung yang merupakan simbol keindahan Kerinci?",
            "Gunung Kerinci merupakan simbol keindahan Kerinci. [1]",
        ),
        (
            "Kapan berlangsungnya acara Seminar International Islamic Banking Outlook?",
            "Acaranya berlangsung pada tanggal 30/8/2005.",
        ),
    ],
)
def test_answered(question: str, answer: str) -> None:
    assert not says_question_back(question, answer)


def test_yes_no_questions_do_not_ask_for_something() -> None:
    assert not asks_for_something("Apakah Putin datang ke Pyongyang?")
    assert not asks_for_something("Did Putin visit Pyongyang?")
    assert asks_for_something("Apakah yang dapat dipengaruhi oleh sitokin?")
    assert asks_for_something("Badan apakah yang melokalisir kobaran api?")


ARTICLE = (
    "“Penggabungan negara-negara tersebut merupakan ancaman terhadap perdagangan dan perdamaian "
    "global,” kata Easley. Polisi menahan dua orang."
)


@pytest.mark.parametrize(
    ("question", "answer", "no_one"),
    [
        (  # seed s017: the quote back, without who said it
            "Siapa yang menyebut penggabungan negara-negara tersebut sebagai ancaman?",
            "Penggabungan negara-negara tersebut merupakan ancaman terhadap perdagangan. [1]",
            True,
        ),
        # a first word is a name when the article writes it capitalised inside a sentence
        ("Siapa yang menyebut penggabungan itu ancaman?", "Easley. [1]", False),
        ("Siapa yang menyebut penggabungan itu ancaman?", "Yang menyebut adalah Easley.", False),
        ("Siapa yang menahan dua orang?", "Polisi menahan dua orang.", True),
        ("Siapa yang ditahan?", "Dua orang yang ditahan Polisi.", False),
        # only who questions; a name the question holds is no answer
        ("Apa yang disebut ancaman?", "Penggabungan negara-negara tersebut.", False),
        ("Who did Easley warn?", "Easley warned about the alignment.", True),
    ],
)
def test_names_no_one(question: str, answer: str, no_one: bool) -> None:
    assert names_no_one(question, answer, ARTICLE) is no_one
