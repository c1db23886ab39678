"""The checks between the model's text and the answer the user gets: citations and refusals."""

from __future__ import annotations

import pytest

from qa.checks.grounding import (
    answered_where_asked,
    asks_about_unmentioned,
    unsupported_names,
)
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


def test_an_answer_with_a_number_the_article_spells_out_is_not_refused(engine_with) -> None:
    answer = engine_with("Para ahli memperkirakan 5 juta peluru telah dikirimkan [8].").answer(
        "Berapa banyak peluru yang menurut para ahli telah dikirimkan?"
    )
    assert not answer.refused, answer.answer
    assert "lima juta peluru" in answer.answer and answer.sources[0].cited


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


def test_a_question_for_an_office_no_passage_mentions_is_refused(engine_with) -> None:
    answer = engine_with("Leif-Eric Easley mendampingi Putin. [1]").answer(
        "Siapa nama menteri luar negeri Rusia yang mendampingi Putin?"
    )
    assert answer.refused and answer.answer == REFUSAL["id"]


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
