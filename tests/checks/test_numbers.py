"""Rewrites of numbers and dates, through the registry (the functions' own cases are in
tests/test_grounding.py)."""

from __future__ import annotations

from qa.checks import BY_NAME
from qa.checks.numbers import (
    counted_as_written,
    counts_as_written,
    dates_as_written,
    number_words_as_written,
    qualifiers_as_written,
    rejoin_numbers,
)
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


# ---------------------------------------- the functions on their own (from tests/test_grounding.py)


def test_a_number_the_model_split_is_written_as_the_passage_writes_it() -> None:
    passages = [
        Passage(1, "b.txt", "B", 0, 52, "Ayman Nour memperoleh 7,6 persen dari 1.250 suara.")
    ]
    assert rejoin_numbers("Ia memperoleh 7, 6 persen. [1]", passages) == (
        "Ia memperoleh 7,6 persen. [1]"
    )
    assert rejoin_numbers("Dari 1. 250 suara.", passages) == "Dari 1.250 suara."
    # a list of numbers the passages do not write as one number is left alone
    assert rejoin_numbers("Tahun 2004, 2005 dan 2006.", passages) == "Tahun 2004, 2005 dan 2006."
    assert rejoin_numbers("Nomor 7, 60 dan 8.", passages) == "Nomor 7, 60 dan 8."


def test_a_date_is_written_as_the_passages_write_it() -> None:
    unicef = [Passage(1, "c.txt", "C", 0, 60, "MoU itu ditandatangani di Banda Aceh, Jumat (9/9).")]
    when = "Kapan MoU itu ditandatangani?"
    assert dates_as_written("Pada Jumat, 9 September 2019. [1]", unicef, when) == (
        "Pada Jumat, 9/9. [1]"
    )
    assert dates_as_written("On September 9, 2019.", unicef, when) == "On 9/9."
    named = [Passage(1, "d.txt", "D", 0, 50, "Pada 9 September MoU ditandatangani, kata Ali.")]
    assert dates_as_written("Pada 9 September 2019.", named, when) == "Pada 9 September."
    # kept: a day the passages do not give, a year they hold, a question asking for the year
    assert dates_as_written("Pada 10 September 2019.", unicef, when) == "Pada 10 September 2019."
    dated = [Passage(1, "e.txt", "E", 0, 40, "Pada 9 September 2005 MoU ditandatangani.")]
    assert dates_as_written("9 September 2005.", dated, when) == "9 September 2005."
    asks_year = "Tahun berapa MoU itu?"
    assert dates_as_written("9 September 2019.", unicef, asks_year) == "9 September 2019."
    # a year the passages hold, but not with this date, is dropped too
    rodong = [
        Passage(
            1, "i.txt", "I", 0, 80, "Artikel terbit Selasa (18 Juni). Invasi dimulai Februari 2022."
        )
    ]
    on_what_date = "On what date did it appear there?"
    assert dates_as_written("It appeared on June 18, 2022. [1]", rodong, on_what_date) == (
        "It appeared on June 18. [1]"
    )


def test_a_numeric_date_loses_a_year_the_passages_do_not_give() -> None:
    xinhua = [Passage(1, "f.txt", "F", 0, 40, "Dilaporkan Xinhua, Senin (12/9), tanpa korban.")]
    when = "Tanggal berapakah Xinhua melaporkan topan itu?"
    assert dates_as_written("Pada tanggal 12/9/2021. [1]", xinhua, when) == "Pada tanggal 12/9. [1]"
    assert dates_as_written("Senin (12/9) pada tahun 2021.", xinhua, when) == "Senin (12/9)."
    assert dates_as_written("On Monday (12/9), 2021.", xinhua, when) == "On Monday (12/9)."
    # kept: another day ("2/9" is not "12/9"), a year the passages hold, a question asking for it
    assert dates_as_written("Pada 2/9/2021.", xinhua, when) == "Pada 2/9/2021."
    dated = [Passage(1, "g.txt", "G", 0, 30, "Pada 12/9 tahun 2005 topan datang.")]
    assert dates_as_written("Pada 12/9/2005.", dated, when) == "Pada 12/9/2005."
    assert dates_as_written("12/9/2021.", xinhua, "Tahun berapa topan itu?") == "12/9/2021."


def test_a_number_keeps_the_qualifier_the_passages_give_it() -> None:
    """facqa f0487 and f0871: the model dropped "lebih dari" and "sekitar", which are part of
    the fact."""
    krakatau = [
        Passage(1, "k.txt", "K", 0, 200, "Ketika itu, lebih dari 36.000 jiwa menjadi korban."
                " Pertemuan dihadiri sekitar 1.400 pakar. Tingginya antara 700-1.000 meter."
                " Ada 12 anggota, lalu sekitar 12 lagi. Sedikitnya 17 penderita pada tahun 2005"
                " dan sekitar 2006."),
    ]  # fmt: skip
    assert qualifiers_as_written("36.000 jiwa menjadi korban. [1]", krakatau) == (
        "Lebih dari 36.000 jiwa menjadi korban. [1]"
    )
    assert qualifiers_as_written("Dihadiri 1.400 pakar.", krakatau) == (
        "Dihadiri sekitar 1.400 pakar."
    )
    # the model's own qualifier gives way to the passages'
    assert qualifiers_as_written("Tingginya sekitar 700-1.000 meter.", krakatau) == (
        "Tingginya antara 700-1.000 meter."
    )
    # left alone: a number the passages qualify two ways, a year, a count already marked,
    # a citation
    for kept in ("Ada 12 anggota.", "Pada tahun 2006.", "Sebanyak 17 penderita.", "Itu dia. [1]"):
        assert qualifiers_as_written(kept, krakatau) == kept


def test_a_count_is_written_without_a_counting_word_the_passages_do_not_use() -> None:
    """facqa f0949 and f0529: "12 orang anggota" where the passage counts "12 anggota"."""
    iaea = [
        Passage(1, "i.txt", "I", 0, 200, "Dari 35 orang anggota dewan, ada 12 anggota yang abstain"
                " dan 500 laki-laki hadir."),
    ]  # fmt: skip
    assert counts_as_written("Sebanyak 12 orang anggota abstain. [1]", iaea) == (
        "Sebanyak 12 anggota abstain. [1]"
    )
    assert counts_as_written("500 orang laki-laki hadir.", iaea) == "500 laki-laki hadir."
    # left alone: the passages' own counting word, a count the passages do not give bare
    for kept in ("35 orang anggota dewan.", "Ada 22 orang anggota.", "12 orang."):
        assert counts_as_written(kept, iaea) == kept


def test_a_number_ending_the_answer_gets_what_the_passages_count_with_it() -> None:
    """facqa f1232: "Jumlah desa … adalah 1.336" where the passage says "1.336 desa"."""
    kalteng = [
        Passage(1, "k.txt", "K", 0, 200, "Kalimantan Tengah punya 1.336 desa. Lintasan sepanjang"
                " 1.200 meter. Sebanyak 17 di antaranya rusak pada 2005 lalu. Ada 43 peserta,"
                " lalu 43 orang. Pesawat Fokker 28-1000 TANS jatuh di sidang JMI ke 60 JMI."),
    ]  # fmt: skip
    asked = "Berapakah jumlah desa di Kalimantan Tengah?"
    assert counted_as_written("Jumlah desa adalah 1.336. [1]", kalteng, asked) == (
        "Jumlah desa adalah 1.336 desa. [1]"
    )
    assert counted_as_written("1.336", kalteng, asked) == "1.336 desa"
    # a unit, though the question does not name it
    assert counted_as_written("Panjangnya 1.200.", kalteng, "Berapa panjangnya?") == (
        "Panjangnya 1.200 meter."
    )
    # left alone: a word that is no count's ("di"), a year, a number followed by two words, a
    # number not at the end, a word neither the question's nor a unit, a name
    for kept, question in (
        ("Ada 17.", "Berapa yang rusak?"),
        ("Pada 2005.", "Kapan rusak?"),
        ("Ada 43.", "Berapa peserta?"),
        ("1.336 di sana.", asked),
        ("Ada 1.336.", "Berapa jumlahnya?"),
        ("Pesawatnya Fokker 28-1000.", "Pesawat apa yang jatuh?"),  # a name follows them
        ("Sidang JMI ke 60.", "Sidang JMI ke berapa?"),
    ):
        assert counted_as_written(kept, kalteng, question) == kept


def test_a_small_number_is_spelled_out_as_the_passages_spell_it() -> None:
    les = [Passage(1, "h.txt", "H", 0, 60, "Sekitar dua kilometer berada di Desa Les. Ada 3 pura.")]
    assert number_words_as_written("Panjangnya sekitar 2 kilometer. [1]", les) == (
        "Panjangnya sekitar dua kilometer. [1]"
    )
    assert number_words_as_written("2 kilometer.", les) == "Dua kilometer."
    # kept: a number the passages write in digits, another unit, a bare number, a large number
    assert number_words_as_written("Ada 3 pura.", les) == "Ada 3 pura."
    assert number_words_as_written("Ada 2 pura.", les) == "Ada 2 pura."
    assert number_words_as_written("Jawabannya 2.", les) == "Jawabannya 2."
    assert number_words_as_written("Ada 12 kilometer.", les) == "Ada 12 kilometer."


def test_an_english_answer_spells_a_number_as_the_english_reading_does() -> None:
    shells = [Passage(1, "a.txt", "A", 0, 60, "Besides the five million shells, 3 guns.")]
    assert number_words_as_written("Experts say 5 million shells. [1]", shells, "en") == (
        "Experts say five million shells. [1]"
    )
    # Indonesian words are not English ones; a number the passages write in digits stays
    assert number_words_as_written("5 million shells.", shells) == "5 million shells."
    assert number_words_as_written("3 guns.", shells, "en") == "3 guns."
