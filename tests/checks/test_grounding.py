"""Refusals of answers the passages do not ground, and the aside rewrite, through the registry
(the functions' own cases are in tests/test_grounding.py)."""

from __future__ import annotations

import pytest

from qa.checks import BY_NAME
from qa.checks.grounding import (
    asks_about_unmentioned,
    asks_for_kind_never_mentioned,
    asks_for_unmentioned_title,
    unsupported_names,
    without_unsupported_asides,
)
from qa.checks.text import names_and_numbers
from qa.prompting import Passage
from tests.fakes import context

PUTIN = [Passage(1, "a.txt", "A", 0, 60, "Putin tiba di Pyongyang, Korea Utara, pada tahun 2000.")]


def test_asides() -> None:
    krc = [Passage(1, "k.txt", "K", 0, 60, "KRC didirikan oleh JE Teysmann di kaki Gunung Gede.")]
    asked = "Lembaga apakah yang didirikan oleh JE Teysmann?"
    guess = "KRC (Konservasi Reptil dan Kebun) didirikan oleh JE Teysmann di kaki Gunung Gede. [1]"
    assert BY_NAME["rewrite.asides"].run(context(asked, krc), guess) == (
        "KRC didirikan oleh JE Teysmann di kaki Gunung Gede. [1]"
    )


def test_unmentioned_topic() -> None:
    check = BY_NAME["refuse.unmentioned-topic"]
    off_topic = context("Siapa yang memenangkan Piala Dunia FIFA 2022?", PUTIN)
    assert "never mention" in (check.run(off_topic, "Korea Utara. [1]") or "")
    assert check.run(context("Kapan Putin tiba di Pyongyang?", PUTIN), "Tahun 2000. [1]") is None


def test_unmentioned_title() -> None:
    check = BY_NAME["refuse.unmentioned-title"]
    scholars = [Passage(1, "s.txt", "S", 0, 80, "Kata Leif-Eric Easley, profesor di Seoul.")]
    lavrov = [Passage(1, "l.txt", "L", 0, 80, "Menlu Rusia Sergei Lavrov ikut datang.")]
    question = "Siapa nama menteri luar negeri Rusia yang mendampingi Putin?"
    assert check.run(context(question, scholars), "Leif-Eric Easley. [1]")
    assert check.run(context(question, lavrov), "Sergei Lavrov. [1]") is None


def test_kind_never_mentioned() -> None:
    """Only when the passages are every article: a search's best may miss the one it is in."""
    check = BY_NAME["refuse.kind-never-mentioned"]
    question = "Apa nama hotel tempat Putin menginap?"
    assert check.run(context(question, PUTIN, whole_corpus=True), "Hotel Pyongyang. [1]")
    assert check.run(context(question, PUTIN), "Hotel Pyongyang. [1]") is None


def test_unsupported_names() -> None:
    check = BY_NAME["refuse.unsupported-names"]
    question = "Siapa presiden Prancis?"
    reason = check.run(context(question, PUTIN), "Presiden Prancis adalah Emmanuel Macron.")
    assert reason and "Emmanuel" in reason and "Macron" in reason
    assert check.run(context("Kapan Putin tiba?", PUTIN), "Putin tiba pada tahun 2000.") is None
    # English answers: refused only when most of what they name is unknown
    english = context("When did Putin arrive?", PUTIN, "en")
    assert check.run(english, "Putin arrived in Pyongyang, North Korea in 2000.") is None


# ---------------------------------------- the functions on their own (from tests/test_grounding.py)

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


ARTICLE = [
    Passage(
        1, "a.txt", "A", 0, 120,
        "Kim akan menjanjikan Rusia peluru. Jurnal resmi Rodong Sinmun memuatnya. Lapangan Kim "
        "Il Sung dihias. Kim visited the Vostochy Cosmodrom. Surat Kim dibacakan.",
    )
]  # fmt: skip


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
