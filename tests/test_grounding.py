"""The checks between the model's text and the answer the user gets: citations and refusals."""

from __future__ import annotations

import pytest

from qa.checks.evidence import find_evidence
from qa.checks.grounding import (
    answered_where_asked,
    asks_about_unmentioned,
    asks_for_kind_never_mentioned,
    asks_for_unmentioned_title,
    unsupported_names,
    without_unsupported_asides,
)
from qa.checks.names import (
    abbreviations_as_written,
    full_names_as_written,
    initials_as_written,
    spellings_as_written,
    titles_as_written,
)
from qa.checks.numbers import (
    counted_as_written,
    counts_as_written,
    dates_as_written,
    number_words_as_written,
    qualifiers_as_written,
    rejoin_numbers,
)
from qa.checks.shape import gives_no_time, shape_mismatch
from qa.checks.text import names_and_numbers
from qa.engine import Engine
from qa.prompting import REFUSAL, Passage, build_prompt, question_hint, without_now
from tests.fakes import FakeEmbedder, FakeGenerator

P = [
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
    ev = find_evidence("Putin terakhir berkunjung pada tahun 2000.", "Kapan Putin berkunjung?", P)
    assert ev[0].n == 2 and ev[0].start == 61 and ev[0].end == 120


def test_names_the_passages_never_mention_are_unsupported() -> None:
    assert unsupported_names("Presiden Prancis adalah Emmanuel Macron.", P)[1] == [
        "Prancis",
        "Emmanuel",
        "Macron",
    ]
    assert unsupported_names("Putin datang ke Pyongyang pada tahun 2000.", P)[1] == []
    # English answers may spell names differently from the Indonesian text
    supported, missing = unsupported_names("The last visit of Putin to Pyongyang.", P, fuzzy=True)
    assert supported == ["Putin", "Pyongyang"] and missing == []


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


def test_initials_are_written_as_the_passages_write_them() -> None:
    book = [Passage(1, "b.txt", "B", 0, 50, "Buku karya Samuel P Huntington terbit 1996.")]
    assert initials_as_written("Oleh Samuel P. Huntington. [1]", book) == (
        "Oleh Samuel P Huntington. [1]"
    )
    # a name the passages do not write without the period is left alone
    assert initials_as_written("Oleh J. K. Rowling.", book) == "Oleh J. K. Rowling."


def test_a_who_answer_names_the_person_in_full_as_the_passages_do() -> None:
    egypt = [  # facqa berita-0086 and berita-0446
        Passage(1, "e.txt", "E", 0, 200, "Dukungan kuat itu dikatakan Suleiman di depan Parlemen"
                " Palestina, atas nama Presiden Mesir Hosni Mubarak. Menurut Omar Suleiman, ..."),
        Passage(2, "f.txt", "F", 0, 80, "Pada tahun 1981, Mubarak terpilih sebagai presiden."),
    ]  # fmt: skip
    who = "Siapakah Presiden Mesir sekarang?"
    assert full_names_as_written("Presiden Mesir adalah Mubarak. [1]", egypt, who) == (
        "Presiden Mesir adalah Hosni Mubarak. [1]"
    )
    # a title, a sentence's first word ("Menurut") or the question's own words are no given name
    assert full_names_as_written("Suleiman. [1]", egypt, "Siapa utusan itu?") == (
        "Omar Suleiman. [1]"
    )
    assert full_names_as_written("Suleiman. [1]", egypt, "Siapa Omar?") == "Suleiman. [1]"
    titled = [Passage(1, "g.txt", "G", 0, 40, "Kata Presiden Putin di Moskwa.")]
    assert full_names_as_written("Putin.", titled, "Siapa yang berkata?") == "Putin."
    # named in full already, not a who question, or two given names in the passages: left alone
    assert full_names_as_written("Hosni Mubarak, lalu Mubarak.", egypt, who) == (
        "Hosni Mubarak, lalu Mubarak."
    )
    assert full_names_as_written("Mubarak.", egypt, "Kapan Mubarak terpilih?") == "Mubarak."
    twins = [Passage(1, "k.txt", "K", 0, 40, "Kim Jong Un dan Kim Yo Jong bertemu Jong.")]
    assert full_names_as_written("Jong.", twins, "Siapa?") == "Jong."


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


def test_a_name_is_written_with_the_short_form_or_expansion_the_passages_give_it() -> None:
    """facqa f1160 and f1368: the model dropped "(API)" and "(Optical, … System)", which a reader
    looks for; and it spells out short forms the passages never spell out."""
    texts = [
        Passage(1, "t.txt", "T", 0, 300, "Rapat antara Ketua Asosiasi Pertekstilan Indonesia (API)"
                " Benny Sutrisno dan Komisi VI DPR. Wahana itu membawa sistem kamera OSIRIS"
                " (Optical, Spectroscopic, and InfraRed Imaging System). Menurut Dr Bana dari ITB,"
                " dana dicari. Kepala Kepolisian Daerah Jawa Tengah (Polda Jateng) datang ke"
                " Jawa Tengah. Michael Kuppers (Institut Max-Planck) menghitungnya."),
    ]  # fmt: skip
    assert abbreviations_as_written("Dia Ketua Asosiasi Pertekstilan Indonesia. [1]", texts) == (
        "Dia Ketua Asosiasi Pertekstilan Indonesia (API). [1]"
    )
    assert abbreviations_as_written("Sistem kamera OSIRIS dipakai.", texts) == (
        "Sistem kamera OSIRIS (Optical, Spectroscopic, and InfraRed Imaging System) dipakai."
    )
    assert abbreviations_as_written("Dr Bana dari Institut Teknologi Bandung (ITB).", texts) == (
        "Dr Bana dari ITB."
    )
    # without the brackets too, as the end of a longer name (facqa f0530: "Universitas Gadjah
    # Mada" where the passage only says "UGM" was refused as a name from memory)
    for spelt in ("Institut Teknologi Bandung", "Kampus Institut Teknologi Bandung"):
        assert abbreviations_as_written(f"Dr Bana dari {spelt}.", texts) == (
            f"Dr Bana dari {spelt.replace('Institut Teknologi Bandung', 'ITB')}."
        )
    # a bare short form gets the name it stands for (facqa f0786, "Apakah kepanjangan dari
    # UNOPS?"), only the words that spell it, and not a two-letter one ("dollar AS")
    aceh = [
        Passage(1, "g.txt", "G", 0, 200, "Pemerintah RI dan Gerakan Aceh Merdeka (GAM) berunding"
                " di Amerika Serikat (AS) dengan United Nations Office for Project Services"
                " (UNOPS)."),
    ]  # fmt: skip
    assert abbreviations_as_written("UNOPS adalah unit PBB. [1]", aceh) == (
        "United Nations Office for Project Services (UNOPS) adalah unit PBB. [1]"
    )
    assert (
        abbreviations_as_written("GAM berunding.", aceh) == "Gerakan Aceh Merdeka (GAM) berunding."
    )
    # a short form stands whole beside titles and names (facqa f1181)
    assert abbreviations_as_written("Ketua GAM Malik Mahmud.", aceh) == (
        "Ketua Gerakan Aceh Merdeka (GAM) Malik Mahmud."
    )
    for kept in ("Harganya 5 dollar AS.", "GAM adalah Gerakan Aceh Merdeka."):
        assert abbreviations_as_written(kept, aceh) == kept
    # the answer gives the short form too (facqa f1150)
    karaha = [Passage(1, "p.txt", "P", 0, 60, "Proyek Karaha Bodas ditunda. KBC menggugat.")]
    kept = "Ganti rugi dibayar kepada PT Karaha Bodas Company (KBC)."
    assert abbreviations_as_written(kept, karaha) == kept
    # left alone: a place that is only part of a bracketed name, an aside that is no short
    # form, a short form the answer gives already, an expansion whose words the passages have
    for kept in (
        "Longsor di Jawa Tengah.",
        "Michael Kuppers menghitungnya.",
        "Ketua API, Asosiasi Pertekstilan Indonesia, datang.",
        "Kepolisian Daerah Jawa Tengah (Polda) datang.",
        "Dr Bana dari Kebun Raya Bogor.",
    ):
        assert abbreviations_as_written(kept, texts) == kept


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


def test_an_answer_with_a_number_the_article_spells_out_is_not_refused(engine_with) -> None:
    answer = engine_with("Para ahli memperkirakan 5 juta peluru telah dikirimkan [8].").answer(
        "Berapa banyak peluru yang menurut para ahli telah dikirimkan?"
    )
    assert not answer.refused, answer.answer
    assert "lima juta peluru" in answer.answer and answer.sources[0].cited


def test_an_aside_naming_what_no_passage_mentions_is_dropped() -> None:
    krc = [Passage(1, "k.txt", "K", 0, 60, "KRC didirikan oleh JE Teysmann di kaki Gunung Gede.")]
    asked = "Lembaga apakah yang didirikan oleh JE Teysmann?"
    guess = "KRC (Konservasi Reptil dan Kebun) didirikan oleh JE Teysmann di kaki Gunung Gede. [1]"
    assert without_unsupported_asides(guess, krc, asked) == (
        "KRC didirikan oleh JE Teysmann di kaki Gunung Gede. [1]"
    )
    # kept whole: an aside the passages hold, and an answer whose rest says nothing new
    held = "KRC (di kaki Gunung Gede) didirikan oleh JE Teysmann."
    assert without_unsupported_asides(held, krc, asked) == held
    bare = "Lembaga itu (Kebun Raya Bogor) didirikan oleh JE Teysmann."
    assert without_unsupported_asides(bare, krc, asked) == bare
    # a short form is something new even when the tokenizer takes it for a stop word ("AS")
    sanksi = [Passage(1, "s.txt", "S", 0, 60, "Irak di bawah sanksi PBB, atas prakarsa AS.")]
    asked = "Negara apakah yang memprakarsai sanksi PBB atas Irak?"
    guess = "Negara yang memprakarsai sanksi PBB atas Irak adalah AS (Australia)."
    assert without_unsupported_asides(guess, sanksi, asked) == guess.replace(" (Australia)", "")


def test_a_place_guessed_after_a_comma_at_the_end_is_dropped() -> None:
    """facqa f0685: "di Athena, Jawa Barat" was refused whole for the guessed province."""
    athena = [
        Passage(1, "o.txt", "O", 0, 80, "Sony membawa pulang medali Olimpiade 2004 di Athena.")
    ]
    asked = "Dimanakah Olimpiade 2004 diselenggarakan?"
    for end in (". [1]", " [1].", "."):
        guess = f"Olimpiade 2004 diselenggarakan di Athena, Jawa Barat{end}"
        assert without_unsupported_asides(guess, athena, asked) == (
            f"Olimpiade 2004 diselenggarakan di Athena{end}"
        )
    # kept whole: a name the passages hold, one not at the end, and one that is the whole answer
    held = "Medali itu dibawa pulang Sony, Athena."
    assert without_unsupported_asides(held, athena, asked) == held
    inside = "Di Athena, Yunani, kata Sony."
    assert without_unsupported_asides(inside, athena, asked) == inside
    alone = "Olimpiade 2004 diselenggarakan di Roma, Italia."
    assert without_unsupported_asides(alone, athena, asked) == alone
    # several guessed names after it are peeled from the end (facqa f0296)
    chain = "Olimpiade 2004 diselenggarakan di Athena, Kecamatan Kuningan, Kota Jakarta."
    assert without_unsupported_asides(chain, athena, asked) == (
        "Olimpiade 2004 diselenggarakan di Athena."
    )


def test_an_answer_with_a_guessed_aside_keeps_its_grounded_part(engine_with) -> None:
    answer = engine_with(
        "Yakov Zinberg (Universitas Harvard) adalah profesor di Universitas Kokushikan [7]."
    ).answer("Siapa Yakov Zinberg?")
    assert not answer.refused, answer.answer
    assert "Harvard" not in answer.answer and "Kokushikan" in answer.answer


@pytest.fixture
def engine_with(settings):
    def make(reply: str) -> Engine:
        engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator(reply))
        engine.reindex()
        return engine

    return make


@pytest.fixture
def engine_over(settings, seeds):
    """An engine whose corpus is the seed article plus one more article, answering ``reply``."""

    def make(name: str, article: str, reply: str) -> Engine:
        (seeds / name).write_text(article, encoding="utf-8")
        engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator(reply))
        engine.reindex()
        return engine

    return make


def test_a_citation_to_a_passage_without_the_number_is_corrected(engine_with) -> None:
    stream = engine_with("Kunjungan Putin ke Korea Utara pada tahun 2000. [5]").ask(
        "Kapan terakhir kali Putin mengunjungi Korea Utara?"
    )
    answer = stream.answer
    by_n = {p.n: p for p in stream.passages}
    assert "2000" not in by_n[5].text
    cited = [s for s in answer.sources if s.cited]
    assert len(cited) == 1 and "2000" in cited[0].text
    assert answer.answer.endswith(f"[{cited[0].n}]") and "[5]" not in answer.answer
    assert cited[0].quote == "Putin terakhir kali mengunjungi negara itu pada tahun 2000."


def test_a_missing_citation_is_added(engine_with) -> None:
    answer = engine_with("Leif-Eric Easley adalah profesor di Ewha Womans University.").answer(
        "Siapa Leif-Eric Easley?"
    )
    assert answer.sources and answer.sources[0].cited and "Easley" in answer.sources[0].quote
    assert answer.answer.endswith(f"[{answer.sources[0].n}]")


def test_an_answer_from_outside_knowledge_becomes_a_refusal(engine_with) -> None:
    answer = engine_with("Presiden Prancis saat ini adalah Emmanuel Macron.").answer(
        "Siapa presiden Prancis saat ini?"
    )
    assert answer.refused and answer.answer == REFUSAL["id"] and answer.sources == ()
    answer = engine_with("Emmanuel Macron is the president of France.").answer(
        "Who is the president of France?"
    )
    assert answer.refused and answer.answer == REFUSAL["en"]


def test_an_english_answer_with_english_spellings_is_kept(engine_with) -> None:
    answer = engine_with("Leif-Eric Easley, a professor in Seoul, called it a victory.").answer(
        "Who described the summit as a victory for Kim Jong Un?"
    )
    assert not answer.refused and "Easley" in answer.answer


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


def test_an_answer_of_the_wrong_shape_becomes_a_refusal(engine_with) -> None:
    answer = engine_with("Putin tinggal di sana 24 tahun. [3]").answer(
        "Berapa hari Putin tinggal di Korea Utara?"
    )
    assert answer.refused and answer.answer == REFUSAL["id"] and answer.sources == ()


def test_a_question_about_what_no_passage_mentions_is_refused(engine_with) -> None:
    putin = [Passage(1, "a.txt", "A", 0, 60, "Putin tiba di Pyongyang, Korea Utara, dan dunia.")]
    assert asks_about_unmentioned("Siapa yang memenangkan Piala Dunia FIFA 2022?", putin)
    # one of the question's names is enough; a question without names is not judged here
    assert not asks_about_unmentioned("Siapa yang menyambut Putin di Piala Dunia?", putin)
    assert not asks_about_unmentioned("Siapa yang tiba?", putin)
    # English names are matched by near spelling against Indonesian passages
    assert not asks_about_unmentioned("Who met Putin in North Korea?", putin, fuzzy=True)
    # ... against the passages' names only: "White House" is not "while" and "whole" (held-out h43)
    said = [Passage(1, "a.txt", "A", 0, 60, "Putin said so while the whole world watched.")]
    assert asks_about_unmentioned("What did the White House say?", said, fuzzy=True)
    answer = engine_with("Korea Utara. [1]").answer("Siapa yang memenangkan Piala Dunia FIFA 2022?")
    assert answer.refused and answer.answer == REFUSAL["id"]


def test_a_question_name_is_mentioned_in_another_spelling_by_its_initials_or_parts() -> None:
    """facqa f0417 ("Iraq" where the article writes "Irak") and f0768 ("Bursa Efek Surabaya"
    where it writes "BES"): right answers were refused as off-topic."""
    irak = [Passage(1, "i.txt", "I", 0, 60, "Pemilu pertama di Irak digelar 30 Januari 2005.")]
    assert not asks_about_unmentioned("Kapan pemilu pertama Iraq digelar?", irak)
    assert asks_about_unmentioned("Kapan pemilu pertama Iran digelar?", irak)
    bes = [Passage(1, "b.txt", "B", 0, 60, "BES memberi batas waktu hingga 31 Desember 2005.")]
    assert not asks_about_unmentioned("Hingga kapan batas dari Bursa Efek Surabaya?", bes)
    # a hyphenated name is mentioned when each of its names is (facqa H f0706)
    klb = [Passage(1, "k.txt", "K", 0, 80, "Pelintas batas Indonesia memegang KLB, warga Papua.")]
    assert not asks_about_unmentioned("Apa dokumen pelintas Indonesia-Papua Niugini?", klb)
    assert asks_about_unmentioned("Apa dokumen pelintas Indonesia-Jepang Niugini?", klb)
    # initials count only as a whole upper-case word ("besar" is no "BES")
    besar = [Passage(1, "b.txt", "B", 0, 60, "Batas waktu terbesar hingga 31 Desember 2005.")]
    assert asks_about_unmentioned("Hingga kapan batas dari Bursa Efek Surabaya?", besar)


def test_an_answer_read_where_the_question_is_stated_is_not_off_topic(seeds, engine_with) -> None:
    """facqa f1031: the excerpt never names the film the question asks about, but the sentence
    that gives the answer's name holds the question's other words; the right answer had been
    refused as off-topic (bench/QUALITY.md row 45)."""
    text = (
        "Film yang skenarionya ditulis Ah Cheng ini, oleh juru kamera Rodrigo Prieto dituangkan "
        "dalam gambar-gambar yang menonjol."
    )
    film = [Passage(1, "f.txt", "F", 0, len(text), text)]
    question = "siapa nama penulis skenario film Brokeback Mountain"
    assert asks_about_unmentioned(question, film)
    assert answered_where_asked("Penulis skenarionya adalah Ah Cheng. [1]", question, film)
    # a name the passages hold, but away from the question's words: still off-topic
    elsewhere = [*film, Passage(2, "g.txt", "G", 0, 40, "Larry McMurtry menulis novel koboi.")]
    assert not answered_where_asked("Penulisnya adalah Larry McMurtry.", question, elsewhere)
    # the answer must add a name or a number, and half the question's words is not enough
    assert not answered_where_asked("Penulisnya tidak disebut.", question, film)
    half = "Siapa penulis skenario lagu dan puisi Brokeback Mountain?"
    assert not answered_where_asked("Penulisnya Ah Cheng.", half, film)
    # nor a question of fewer than three words besides its names (probe f0266)
    assert not answered_where_asked(
        "Penulisnya Ah Cheng.", "Siapa penulis Brokeback Mountain?", film
    )

    # a date or count the question gives must be in that sentence too, in digits or words
    # (probe f1539: "Shenzhou" for the launch of 12 Agustus 2005; f0509: "sembilan" for 9)
    launch = [Passage(1, "s.txt", "S", 0, 80, "Wahana antariksa Shenzhou diluncurkan dari "
                      "Jiuquan.")]  # fmt: skip
    asked = "Apa nama wahana antariksa yang diluncurkan 12 Agustus 2005 dari Cape Canaveral?"
    assert not answered_where_asked("Namanya Shenzhou.", asked, launch)
    assert answered_where_asked("Namanya Shenzhou.", asked.replace("12 Agustus 2005 ", ""), launch)
    lakes = [Passage(1, "l.txt", "L", 0, 150, "Dari hasil penelitian Pusat Penelitian "
                     "Limnologi Lembaga Ilmu Pengetahuan Indonesia, dari 11 danau, sembilan di "
                     "antaranya hilang.")]  # fmt: skip
    found = (
        "Lembaga manakah yang menemukan 9 danau yang hilang dari 11 danau di sekitar Sungai "
        "Mahakam yang ditelitinya"
    )
    assert answered_where_asked("Lembaganya Pusat Penelitian Limnologi.", found, lakes)
    assert not answered_where_asked("Lembaganya Pusat Penelitian Limnologi.", found.replace(
        "9 danau", "8 danau"), lakes)  # fmt: skip
    # "mana" (of "kemanakah") is no word of the matter: two words are too few (probe f1422)
    export = [Passage(1, "e.txt", "E", 0, 60, "Produk kulit itu diekspor ke Jepang.")]
    assert not answered_where_asked(
        "Diekspor ke Jepang.", "Kemanakah produk Mastrotto diekspor?", export
    )

    # passages naming some of the question's names, but not the one the answer repeats, are
    # about something else (probe f1384: the WTO meeting in Hong Kong, asked about Cancun)
    wto = [Passage(1, "w.txt", "W", 0, 80, "Pertemuan menteri WTO di Hongkong "
                   "dilaksanakan pada Desember 2005.")]  # fmt: skip
    cancun = "Kapan pertemuan tingkat menteri WTO di Cancun (Meksiko) dilaksanakan?"
    guess = "Pertemuan tingkat menteri WTO di Cancun dilaksanakan pada Desember 2005."
    assert answered_where_asked(guess, cancun, wto)
    assert "Cancun" in unsupported_names(guess, wto, question=cancun)[1]

    (seeds / "film.txt").write_text(text + "\n", encoding="utf-8")
    right = engine_with(" Ah Cheng.")  # the prompt ends with "… adalah" (answer_opening)
    answer = right.answer(question)
    assert not answer.refused and "Ah Cheng" in answer.answer
    assert answer.sources[0].doc == "film.txt"
    # a name of the seed article, read nowhere near the question's words, is still refused
    assert engine_with("Penulisnya adalah Zinberg.").answer(question).refused


def test_a_question_naming_only_the_corpus_setting_is_not_off_topic() -> None:
    """facqa f1410: Indonesian news rarely writes "Indonesia" out; a question naming nothing
    else is judged by the answer's names, not refused as off-topic (nor its repeated name)."""
    takraw = [
        Passage(1, "t.txt", "T", 0, 120, "Pelatih asal Thailand yang disewa untuk "
                "mempersiapkan tim nasional mengamati jalannya kejurnas. Namanya Somkiet."),
    ]  # fmt: skip
    question = "Pelatih asal negara manakah yang disewa Indonesia?"
    # (named from a sentence without the question's words: answered_where_asked does not apply)
    answer = "Tim nasional Indonesia dilatih Somkiet. [1]"
    setting = {"indonesia": 0.13, "thailand": 0.02}.get

    def share(word: str) -> float:
        return setting(word.casefold(), 0.0)

    assert asks_about_unmentioned(question, takraw)
    assert not asks_about_unmentioned(question, takraw, corpus_share=share)
    assert unsupported_names(answer, takraw, question=question)[1] == ["Indonesia"]
    assert unsupported_names(answer, takraw, question=question, corpus_share=share)[1] == []
    # a rarer name beside it still has to be mentioned
    also_asked = "Pelatih asal negara manakah yang disewa Indonesia dan Malaysia?"
    assert asks_about_unmentioned(also_asked, takraw, corpus_share=share)


def test_a_passage_sentence_stating_the_question_is_on_topic_without_its_names() -> None:
    """facqa excerpts often leave the subject out ("Brasil", facqa I f0324): a sentence holding
    all but one of five or more of the question's other words is about the question; fewer
    words must all be there, or "Iran" would be asked about a passage on Irak."""
    embraer = [
        Passage(1, "e.txt", "E", 0, 120, "Maka, Joel Rosado menelepon Embraer-produsen pesawat-"
                "untuk membuatkan propeler tunggal berbahan bakar etanol."),
    ]  # fmt: skip
    asked = "Perusahaan manakah di Brasil yang dapat membuat {} tunggal berbahan bakar etanol?"
    assert not asks_about_unmentioned(asked.format("propeler"), embraer)
    assert asks_about_unmentioned(asked.format("mesin"), embraer)  # two words missing
    irak = [Passage(1, "i.txt", "I", 0, 60, "Pemilu pertama di Irak digelar 30 Januari 2005.")]
    assert asks_about_unmentioned("Kapan pemilu pertama Iran digelar?", irak)


def test_a_short_form_in_the_question_is_mentioned_spelt_out() -> None:
    """facqa I f0896: the question says "ITB", the passage "Institut Teknologi Bandung"."""
    itb = [
        Passage(1, "f.txt", "F", 0, 120, "Ia kini kuliah di jurusan Fisika Fakultas Matematika "
                "dan Ilmu Pengetahuan Alam (FMIPA) Institut Teknologi Bandung."),
    ]  # fmt: skip
    assert not asks_about_unmentioned("Apakah nama fakultas tempat Yudi kuliah di ITB?", itb)
    assert not asks_about_unmentioned("Di mana fakultas FMIPA berada?", itb)
    assert asks_about_unmentioned("Apakah nama fakultas tempat Yudi kuliah di UGM?", itb)


def test_an_ampersand_joins_one_name() -> None:
    """facqa f0412: "Raum & Schatten" is one festival, not two names the passages lack, so the
    passages naming the leader and the school are about the question."""
    garasi = [
        Passage(1, "g.txt", "G", 0, 120, "Empat kelompok diundang, antara lain Garasi Seni Benawa"
                " pimpinan Rahayu Supanggah dari STSI Surakarta."),
    ]  # fmt: skip
    question = (
        "Apa nama kelompok kesenian pimpinan Rahayu Supanggah dari STSI Surakarta yang diundang"
        " ke festival Raum & Schatten di Berlin?"
    )
    answer = "Garasi Seni Benawa diundang ke festival Raum & Schatten di Berlin. [1]"
    assert names_and_numbers("kata Raum & Schatten") == ["Raum", "Schatten"]
    assert unsupported_names(answer, garasi, question=question)[1] == []


def test_a_passage_stating_the_whole_question_is_on_topic_though_it_names_it_otherwise() -> None:
    """facqa f0705: the passage never says "Indonesia", but one sentence holds every other word
    of the question; the right answer was refused as off-topic."""
    bppt = [
        Passage(
            1,
            "b.txt",
            "B",
            0,
            200,
            "Badan Pengkajian dan Penerapan Teknologi (BPPT) memang telah mengembangkan teknologi "
            "pembuatan biodiesel dan bioetanol, sekaligus menggunakannya untuk kendaraan di "
            "lingkungan lembaga riset ini, sejak setahun lalu.",
        )
    ]
    question = (
        "Badan apakah di Indonesia yang mengembangkan teknologi pembuatan biodiesel dan "
        "bioetanol sejak setahun lalu?"
    )
    assert not asks_about_unmentioned(question, bppt)
    answer = "Teknologi itu dikembangkan oleh BPPT di Indonesia sejak setahun lalu."
    assert unsupported_names(answer, bppt, question=question) == (["BPPT"], [])
    # "nama" says what form the answer takes (facqa f0167: the passage never says "nama" or
    # "China", but "kantor berita milik pemerintah, Xinhua")
    xinhua = [
        Passage(
            1, "x.txt", "X", 0, 80, "Hal ini dilaporkan kantor berita milik pemerintah, Xinhua."
        )
    ]
    assert not asks_about_unmentioned("Apa nama kantor berita milik pemerintah China?", xinhua)
    # a question with few words besides its names is not judged by its words
    assert asks_about_unmentioned("Siapa yang memenangkan Piala Dunia FIFA 2022?", P)
    assert asks_about_unmentioned("Apakah jabatan Erkki Tuomioja?", [*P, *bppt])


def test_when_questions_get_a_hint_for_the_answer_they_need() -> None:
    assert question_hint("When did Putin last visit?", "en") == (
        "Answer briefly in English. Give the year or date."
    )
    assert question_hint("Kapan Putin tiba?", "id") == (
        "Jawab singkat dalam bahasa Indonesia. Sebutkan tahun atau tanggalnya."
    )
    assert question_hint("Apa nama koran itu?", "id") == "Jawab singkat dalam bahasa Indonesia."


@pytest.mark.parametrize(
    ("question", "as_read"),
    [
        ("Siapakah presiden Venezuela saat ini??", "Siapakah presiden Venezuela??"),
        (
            "Siapa nama Presiden Irak sekarang yang berasal dari suku Kurdi?",
            "Siapa nama Presiden Irak yang berasal dari suku Kurdi?",
        ),
        ("Who is the current Prime Minister of Iraq?", "Who is the Prime Minister of Iraq?"),
        ("How many people live in Japan now?", "How many people live in Japan?"),
        # a span up to now, or "now" inside the question's own statement, stays
        ("Berapa mahakarya yang diakui UNESCO hingga sekarang?", None),
        ("Siapa yang menegaskan bahwa saat ini pemerintah menutup izin?", None),
    ],
)
def test_the_model_reads_a_question_without_now(question: str, as_read: str | None) -> None:
    """The articles' "now" is when they were written; the model's is its training data."""
    assert without_now(question) == (as_read or question)
    assert f"{as_read or question}\n(" in build_prompt(P, question, "id")


def test_names_repeated_from_the_question_are_not_outside_knowledge() -> None:
    passages = [
        *P,
        Passage(
            4, "b.txt", "B", 0, 60, "Naskah The Room karya Harold Pinter dipentaskan di Bristol."
        ),
    ]
    question = "Kapan The Room karya Harold Pinter dipentaskan di Bristol, Inggris?"
    answer = "The Room dipentaskan di Bristol, Inggris, pada tahun 2000."
    assert unsupported_names(answer, passages)[1] == ["Inggris"]
    assert unsupported_names(answer, passages, question=question) == (["2000"], [])
    # a new name is still unsupported, whatever the question says
    assert unsupported_names("Bristol dipimpin Macron.", passages, question=question)[1] == [
        "Macron"
    ]


def test_question_names_are_no_support_when_the_passages_are_not_about_them() -> None:
    question = "Siapa yang memenangkan Piala Dunia FIFA 2022?"  # FIFA, Piala: in no passage
    answer = "Korea Utara memenangkan Piala Dunia FIFA 2022."
    assert {"Piala", "FIFA"} <= set(unsupported_names(answer, P, question=question)[1])


def test_a_question_naming_its_subject_differently_is_still_on_topic() -> None:
    # the article says "AS", the question "Washington": half its names are there
    question = "Menurut Putin, tatanan yang dipaksakan Washington hanyalah apa?"
    answer = "Menurut Putin, tatanan Washington hanyalah kediktatoran. [2]"
    assert unsupported_names(answer, P, question=question)[1] == []


def test_question_names_count_as_whole_names_for_the_topic() -> None:
    """Two names asked, one in the passages: on topic, however many words the other has
    (facqa f0520; counting words, 4 of 6 were missing and the right answer was refused)."""
    passage = Passage(
        1,
        "c.txt",
        "C",
        0,
        110,
        "Atlet putra asal Musi Banyuasin, Felix C Sutanto, meraih emas untuk renang nomor 200 "
        "meter gaya punggung.",
    )
    question = (
        "Berasal dari manakah, Felix C Sutanto, peraih emas untuk renang nomor 200 meter gaya "
        "punggung pada Pekan Olahraga Provinsi Sumsel ke-8?"
    )
    answer = "Felix C Sutanto pada Pekan Olahraga Provinsi Sumsel ke-8 dari Musi Banyuasin. [1]"
    assert unsupported_names(answer, [passage], question=question) == (["Musi", "Banyuasin"], [])


def test_the_final_answer_writes_numbers_as_the_passages_do(engine_over) -> None:
    engine = engine_over(
        "pemilu.txt",
        "Pemilu Mesir\n\nAyman Nour memperoleh 7,6 persen suara dalam pemilu Mesir.\n",
        "7, 6 persen.",
    )
    answer = engine.answer("Berapa persen suara yang diperoleh Ayman Nour?")
    assert answer.answer.startswith("7,6 persen.") and not answer.refused
    assert "7,6 persen" in answer.sources[0].quote


def test_an_answer_with_an_invented_date_form_is_kept_in_the_articles_form(engine_over) -> None:
    engine = engine_over(
        "unicef.txt",
        "Sekolah Unicef\n\nMoU pembangunan sekolah Unicef ditandatangani di Aceh, Jumat (9/9).\n",
        "MoU itu ditandatangani pada Jumat, 9 September 2019.",
    )
    answer = engine.answer("Kapan MoU pembangunan sekolah Unicef ditandatangani?")
    assert not answer.refused
    assert answer.answer.startswith("MoU itu ditandatangani pada Jumat, 9/9.")


def test_a_who_question_about_an_office_no_passage_mentions_is_off_topic() -> None:
    """Seed s069: the article quotes professors and names no minister; the model answered with a
    professor."""
    scholars = [Passage(1, "s.txt", "S", 0, 80, "Kata Leif-Eric Easley, profesor di Seoul.")]
    lavrov = [Passage(1, "l.txt", "L", 0, 80, "Menlu Rusia Sergei Lavrov ikut datang.")]
    question = "Siapa nama menteri luar negeri Rusia yang mendampingi Putin?"
    assert asks_for_unmentioned_title(question, scholars)
    assert not asks_for_unmentioned_title(question, lavrov)  # "Menlu" is the minister
    # not an office: an honorific, or no title at all
    assert not asks_for_unmentioned_title("Siapa Profesor Easley?", lavrov)
    assert not asks_for_unmentioned_title("Siapa yang datang?", scholars)


def test_an_english_question_for_an_office_is_checked_against_english_passages() -> None:
    scholars = [Passage(1, "s.txt", "S", 0, 80, "Said Leif-Eric Easley, a professor in Seoul.")]
    lavrov = [Passage(1, "l.txt", "L", 0, 80, "Russian Foreign Minister Sergei Lavrov came too.")]
    question = "Who is the Russian foreign minister accompanying Putin?"
    assert asks_for_unmentioned_title(question, scholars, "en")
    assert not asks_for_unmentioned_title(question, lavrov, "en")
    named = "What is the name of the governor of Jakarta?"
    assert asks_for_unmentioned_title(named, scholars, "en")
    assert not asks_for_unmentioned_title("Who is the professor in Seoul?", scholars, "en")
    assert not asks_for_unmentioned_title("Who came with Putin?", scholars, "en")


def test_a_question_for_an_office_no_passage_mentions_is_refused(engine_with) -> None:
    answer = engine_with("Leif-Eric Easley mendampingi Putin. [1]").answer(
        "Siapa nama menteri luar negeri Rusia yang mendampingi Putin?"
    )
    assert answer.refused and answer.answer == REFUSAL["id"]


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


def test_a_name_gets_the_rank_degree_or_legal_form_the_passages_give_it() -> None:
    """facqa E f1558, D f0568, G f0267: the article's first mention carries the title."""
    shwe = [
        Passage(1, "m.txt", "M", 0, 90, "Muncul desas-desus Jenderal Than Shwe sakit. Namun, "
                "keberadaan Than Shwe belum jelas.")
    ]  # fmt: skip
    answer = "Pemimpin junta militer Myanmar adalah Than Shwe. [1]"
    assert titles_as_written(answer, shwe) == answer.replace("Than", "Jenderal Than")
    firm = [Passage(1, "p.txt", "P", 0, 60, "Sinopec bersama dengan PT Indelberg Indonesia.")]
    assert titles_as_written("Indelberg Indonesia. [1]", firm) == "PT Indelberg Indonesia. [1]"
    # a degree written in lower case (facqa L f0307, M f0127), but no other lower-case word
    susi = [Passage(1, "y.txt", "Y", 0, 60, "Istrinya, drg Susi Andriani, dan kata dr Ilham Patu.")]
    assert titles_as_written("Istrinya adalah Susi Andriani.", susi) == (
        "Istrinya adalah drg Susi Andriani."
    )
    assert titles_as_written("Ilham Patu.", susi) == "dr Ilham Patu."
    plain = [
        Passage(
            1, "z.txt", "Z", 0, 40, "Kata Presiden Susilo Bambang Yudhoyono dan kata Budi Santoso."
        )
    ]
    assert titles_as_written("Budi Santoso.", plain) == "Budi Santoso."
    # already titled in the answer, the title said elsewhere in it, or part of a longer title
    djabar = [Passage(1, "d.txt", "D", 0, 40, "Diprakarsai H Basril Djabar, pemimpin umum.")]
    assert titles_as_written("Oleh H Basril Djabar.", djabar) == "Oleh H Basril Djabar."
    schroeder = [Passage(1, "s.txt", "S", 0, 40, "Kata Kanselir Gerhard Schroeder di Berlin.")]
    answer = "Kanselir Jerman adalah Gerhard Schroeder."
    assert titles_as_written(answer, schroeder) == answer
    dirjen = [Passage(1, "k.txt", "K", 0, 50, "Kata Direktur Jenderal Pajak Hadi Poernomo.")]
    assert titles_as_written("Hadi Poernomo.", dirjen) == "Hadi Poernomo."


def test_a_name_is_written_as_the_passages_spell_it() -> None:
    text = "Pangkalan itu membantu operasi AS di Afganistan dan Irak."
    base = [Passage(1, "k.txt", "K", 0, len(text), text)]
    assert spellings_as_written("Di negara Afghanistan. [1]", base) == "Di negara Afganistan. [1]"
    assert spellings_as_written("Afghanistan dan Iraq.", base) == "Afganistan dan Irak."
    # a name the passages write as the answer does, or do not write at all, stays
    for kept in ("Di Afganistan.", "Di Pakistan.", "Di negara afghanistan."):
        assert spellings_as_written(kept, base) == kept


def test_an_answer_naming_a_place_in_another_spelling_is_not_refused(engine_over) -> None:
    engine = engine_over(
        "pangkalan.txt",
        "Pangkalan Karshi-Khanabad dipakai untuk operasi militer AS di Afganistan.\n",
        "Pangkalan Karshi-Khanabad dipakai untuk operasi di Afghanistan.",
    )
    answer = engine.answer("Di negara mana pangkalan Karshi-Khanabad dipakai untuk operasi?")
    assert not answer.refused and answer.answer.startswith(
        "Pangkalan Karshi-Khanabad dipakai untuk operasi di Afganistan."
    )


ARTICLE = [
    Passage(
        1, "a.txt", "A", 0, 120,
        "Kim akan menjanjikan Rusia peluru. Jurnal resmi Rodong Sinmun memuatnya. Lapangan Kim "
        "Il Sung dihias. Kim visited the Vostochy Cosmodrom. Surat Kim dibacakan.",
    )
]  # fmt: skip


@pytest.mark.parametrize(
    ("question", "language", "never"),
    [
        ("Apa nama perjanjian yang ditandatangani Putin?", "id", True),  # not "menjanjikan"
        ("Apa nama hotel tempat Putin menginap?", "id", True),
        ("Apa nama jurnal resmi Korea Utara?", "id", False),
        ("What is the official name of the treaty Putin and Kim signed?", "en", True),
        ("What is the name of the Russian foreign minister?", "en", True),  # past the names
        ("What is the name of the cosmodrome Kim visited?", "en", False),  # one letter apart
        ("What is the name of the square that was decorated?", "en", False),  # "Lapangan"
        ("What is the name of Thailand's currency?", "en", False),  # no kind asked for
        ("Apa nama yang dipakai?", "id", False),
        ("Siapa yang menandatangani perjanjian?", "id", False),  # not a name of a kind
        ("Siapa nama penulis skenario film itu?", "id", False),  # a role: "ditulis" tells it
        # the content of a kind of text (seed s071: Kim's welcome speech)
        ("Apa isi pidato sambutan Kim Jong Un?", "id", True),
        ("Apa bunyi pasal pertama perjanjian itu?", "id", True),
        ("What is the content of the joint communique they signed?", "en", True),
        ("Apa isi surat Kim itu?", "id", False),  # mentioned
        ("Apa isi seruan Easley?", "id", False),  # a call is told in other words
        # how many of a kind (seed k07: "Tiga pesawat tempur" over an article without any)
        ("Berapa banyak pesawat tempur yang dijanjikan Putin?", "id", True),
        ("Menurut Kim, berapa jumlah hotel yang dibangun?", "id", True),
        ("Berapa banyak peluru yang dijanjikan Kim?", "id", False),
        ("Berapa jumlah total peluru yang dijanjikan?", "id", False),  # any word of it
        ("Berapa jumlah orang yang hadir?", "id", False),  # a classifier counts anything
        ("Berapa banyak tahun yang berlalu?", "id", False),  # so does a unit
        ("How many fighter jets did Putin promise?", "en", False),  # English counts: not here
    ],
)
def test_a_name_of_a_kind_the_corpus_never_mentions(
    question: str, language: str, never: bool
) -> None:
    assert asks_for_kind_never_mentioned(question, language, ARTICLE) is never


def test_a_name_of_a_kind_no_article_mentions_is_refused_over_the_whole_corpus(
    engine_with,
) -> None:
    """The seed article names no treaty; the model named the "special military operation"."""
    engine = engine_with('"operasi militer khusus" [6].')
    answer = engine.answer("Apa nama perjanjian yang ditandatangani Putin dan Kim?")
    assert answer.refused and answer.answer == REFUSAL["id"]
    # a kind the article does mention is answered
    engine = engine_with("Rodong Sinmun [5].")
    assert not engine.answer("Apa nama jurnal resmi Korea Utara itu?").refused
    engine = engine_with('"operasi militer khusus" [6].')
    assert not engine.answer("Apa nama operasi yang didukung Korea Utara?").refused
