"""An answer of another shape than asked is refused, through the registry (the function's own
cases are in tests/test_grounding.py)."""

from __future__ import annotations

import pytest

from qa.checks import BY_NAME
from qa.checks.shape import gives_no_time, shape_mismatch
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


# ---------------------------------------- the functions on their own (from tests/test_grounding.py)


@pytest.mark.parametrize(
    ("question", "answer", "fits"),
    [
        ("How many days did Putin stay?", "Putin stayed for about 24 years.", False),
        ("How many soldiers were sent?", "Putin has already announced it.", False),
        ("Pada tanggal berapa Putin tiba?", "Putin tiba pada tahun 2000.", False),
        ("On which day of the week was it published?", "On June 18.", False),
        ("Berapa tahun yang lalu Putin ke Pyongyang?", "24 tahun yang lalu.", True),
        ("Berapa peluru artileri yang dikirim?", "Lima juta peluru.", True),
        ("Berapa peluru artileri yang dikirim?", "5.000.000 peluru.", True),
        ("Pada tahun berapa Putin berkunjung?", "Tahun 2000.", True),
        ("On what date did it appear?", "It appeared on 18 June.", True),
        ("Hari apa artikel itu terbit?", "Pada hari Selasa.", True),
        ("How many days did Putin stay?", "Two.", True),  # no unit given: not contradicted
        ("Siapa Yakov Zinberg?", "Profesor di Tokyo.", True),  # no shape asked for
        # a count answered only with the question's own numbers is no count
        ("Ada berapakah emiten baru di BEJ pada 2005?", "Tidak ada emiten baru pada 2005.", False),
        ("Ada berapakah emiten baru di BEJ pada 2005?", "Ada delapan emiten baru pada 2005.", True),
        ("Berapa hektar hutan terbakar sejak 20 Agustus?", "20 hektar.", True),
        ("Pada bulan berapakah aturan itu berlaku?", "Desember.", True),
        ("Undang-Undang nomor berapakah yang mengaturnya?", "Nomor 22 Tahun 1999.", True),
        # a count of things answered only with a date's numbers
        ("How many soldiers were sent?", "It was published on Tuesday (June 18).", False),
        ("Berapa kelompok kesenian diundang?", "Hal itu dikatakan di Medan, Jumat (26/8).", False),
        ("Tanggal berapakah Anwar memenangi gugatan?", "Pada Kamis (18/8).", True),
        ("Tanggal berapakah ulang tahun Kota Bandung?", "Tahun 1930-an.", False),  # I f1338
        ("Pada tahun berapa Putin terakhir ke sana?", "2000", True),
        ("Berapa jumlah kabupaten/kota yang rusak?", "11 kabupaten/kota.", True),
        # "berapa lama" asks for a span of time, or a year or date it lasts until
        ("Berapa lamakah target pembangunan sekolah?", "Lebih dari 500 sekolah.", False),
        ("Berapa lama konser itu berlangsung?", "Selama 90 menit.", True),
        ("Berapa lama proyek itu berjalan?", "Hingga 2008.", True),
        # an English count that never names what it counts, and counts other things
        ("How many North Korean soldiers were sent?", "Two countries, 24 years ago.", False),
        ("How many North Korean soldiers were sent?", "About 10,000 soldiers.", True),
        ("How many soldiers were sent?", "About 10,000.", True),  # a bare number
        ("How many pentas theaters has he built?", "He has built 27 pentas theaters.", True),
        # an Indonesian count of one thing answered with a count of another (held-out h39),
        # though the answer names it first; classifiers, units and English answers are not judged
        ("Berapa banyak rudal yang dijual?", "Rudal yang dijual adalah lima juta peluru.", False),
        ("Berapa banyak rudal yang dijual?", "Lima juta peluru dan dua rudal.", True),
        ("Berapa jumlah medali emas yang diraih?", "Thailand meraih satu emas.", True),
        ("Berapakah jumlah penderita diare yang dirawat?", "Sebanyak 592 orang.", True),
        ("Berapa jumlah kayu yang disita?", "Sekitar 80.854 meter kubik.", True),
        ("Berapa banyak rudal yang dijual?", "Five million shells.", True),
        # a number "besides" the answer counts something else (seed s072)
        ("Berapa peluru lagi yang dijanjikan?", "Lebih banyak, selain lima juta peluru.", False),
        ("How many more shells will he send?", "More shells, besides five million shells.", False),
        ("Berapa anggota yang tercatat?", "Selain itu juga tercatat dua anggota.", True),
        ("Berapa peluru yang dijanjikan?", "Selain lima juta peluru, 300 roket.", True),
        # ... unless that number's clause tells what is asked (seed k01): the question's words
        (
            "Berapa banyak peluru artileri yang menurut para ahli telah dikirimkan ke Rusia?",
            "Lebih banyak peluru, selain lima juta peluru yang diperkirakan ahli telah dikirimkan.",
            True,
        ),
        (
            "Berapa banyak peluru artileri tambahan yang akan dijanjikan Kim kepada Rusia?",
            "Lebih banyak, selain lima juta peluru artileri yang telah dikirimkan ke Rusia.",
            False,  # what it counts ("peluru artileri") and names ("Rusia") tell nothing
        ),
        # "berapa jumlah/banyak <unit>" asks for that unit (seed k04)
        ("Berapa jumlah tahun sejak kunjungan terakhir Putin?", "24 tahun.", True),
        ("Berapa jumlah tahun sejak kunjungan terakhir Putin?", "24 hari.", False),
        # an amount of money names its currency (held-out h31)
        ("How much money did Russia promise in aid?", "More shells than the five million.", False),
        ("Berapakah dana yang dibutuhkan untuk restorasi?", "Sekitar 500 juta.", False),
        ("Berapakah dana yang dibutuhkan untuk restorasi?", "Rp 500 juta.", True),
        ("Berapa biaya yang dikeluarkan AS setiap hari?", "186 juta dollar AS.", True),
        ("Berapa harga minyak per liter di Thailand?", "26,5 baht per liter.", True),
        ("How much money was pledged?", "About $2 billion.", True),
        # a time to come is not answered by a time gone by (held-out h36)
        ("Kapan Kim akan berkunjung ke Moskow?", "Pada September tahun lalu.", False),
        ("When will Kim visit Moscow?", "Two years ago.", False),
        ("Kapan PT TPPI akan beroperasi penuh?", "Pada 1 Februari 2006.", True),
        ("Kapan Putin terakhir berkunjung?", "24 tahun lalu.", True),
    ],
)
def test_an_answer_must_have_the_shape_the_question_asks_for(
    question: str, answer: str, fits: bool
) -> None:
    assert (shape_mismatch(question, answer) is None) is fits


@pytest.mark.parametrize(
    ("question", "answer", "no_time"),
    [
        (  # facqa f1366: the question's own date said back
            "Kapankah Belanda akhirnya mengakui proklamasi kemerdekaan RI 17 Agustus 1945?",
            "Pemerintah Kerajaan Belanda akhirnya mengakui proklamasi kemerdekaan RI 17 Agustus "
            "1945.",
            True,
        ),
        ("Kapankah Belanda mengakui proklamasi?", "Belanda mengakui pada Selasa (16/8).", False),
        ("Kapan Kerinci dikenal?", "Sejak awal abad ke-19.", False),
        ("Kapan Kerinci dikenal?", "Setelah perang usai.", False),
        ("When did Putin arrive?", "He arrived on Tuesday.", False),
        ("When did Putin arrive?", "Putin arrived with Kim.", True),
        ("Siapa yang tiba?", "Putin tiba bersama Kim.", False),  # no time asked
    ],
)
def test_a_when_answer_must_place_something_in_time(
    question: str, answer: str, no_time: bool
) -> None:
    assert gives_no_time(question, answer) is no_time
