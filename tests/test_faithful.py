"""The faithfulness checks on the cases issue 37 reports and the near-misses they must let pass."""

from __future__ import annotations

import pytest

from qa.checks.faithful import (
    ArticleFacts,
    article_fact,
    asked_article_fact,
    fact_sentence,
    first_line_with,
    missing_asked_event,
    party_in_role,
    party_sentence,
    polarity_conflict,
)

SANCTIONS = (
    "Mereka harus segera menerapkan sanksi sehingga visi hubungan internasional Putin-Kim gagal."
)
BANKS = (
    "Korea Utara juga tidak memiliki akses ke bank dan fasilitas perdagangan lainnya karena "
    "program nuklir dan rudalnya, yang terus dilakukan negara tersebut meskipun ada keputusan PBB."
)


def test_an_answer_that_reverses_its_sentence_is_caught() -> None:
    reason = polarity_conflict(
        "Apa yang dikatakan Easley tentang sanksi?",
        "Easley mengatakan bahwa sanksi tidak akan mengurangi visi hubungan internasional "
        "Putin-Kim",
        SANCTIONS,
    )
    assert reason and "negation" in reason


def test_an_answer_that_drops_the_sentences_negation_is_caught_in_english_too() -> None:
    assert polarity_conflict(
        "Does North Korea have access to banks?", "Yes, North Korea has access to banks", BANKS
    )
    assert polarity_conflict(
        "Apakah Korea Utara memiliki akses ke bank?",
        "Ya, Korea Utara memiliki akses ke bank",
        BANKS,
    )


@pytest.mark.parametrize(
    ("question", "answer", "sentence"),
    [
        ("Apa yang dikatakan Easley tentang sanksi?", SANCTIONS, SANCTIONS),
        # The negation belongs to another clause than the one the answer restates.
        (
            "What program does North Korea continue despite UN decisions?",
            "its nuclear and missile program",
            BANKS,
        ),
        # The question carries the negation, so the answer need not.
        (
            "Menurut Easley, apa yang tidak dimiliki bersama negara-negara ini?",
            "institusi dan nilai-nilai aliansi yang sama",
            "Namun, negara-negara ini tidak memiliki institusi dan nilai-nilai aliansi yang sama.",
        ),
        (
            "Apakah Korea Utara memiliki akses ke bank?",
            "Tidak, Korea Utara tidak memiliki akses ke bank",
            BANKS,
        ),
        ("Siapa Easley?", "Leif-Eric Easley", SANCTIONS),  # a name is not a claim
    ],
)
def test_faithful_answers_pass(question: str, answer: str, sentence: str) -> None:
    assert polarity_conflict(question, answer, sentence) is None


def test_an_event_the_sentences_do_not_carry_is_caught() -> None:
    year = "Putin terakhir kali mengunjungi negara itu pada tahun 2000."
    assert missing_asked_event("Tanggal berapa tepatnya Putin tiba di Pyongyang?", [year])
    assert missing_asked_event("What exactly did Putin say in his speech?", [year])
    assert missing_asked_event("Pukul berapa Putin tiba?", ["Putin tiba pada 19 Juni."])
    assert missing_asked_event("Kapan Putin terakhir berkunjung?", [year]) is None
    assert (
        missing_asked_event("Tanggal berapa artikel tamu itu terbit?", ["pada Selasa (18 Juni)"])
        is None
    )
    assert (
        missing_asked_event("Apa isi pidato Putin?", ["Dalam pidatonya, Putin berkata ..."]) is None
    )
    assert (
        missing_asked_event("Apa isi pidato Putin?", []) is None
    )  # nothing cited: not this check's call


def test_the_party_the_sentence_names_in_the_asked_role() -> None:
    said = "“Kita harus jelas ...,” kata Zinberg kepada Babelpos, mengacu pada arsitektur keamanan."
    question = "Kepada siapa Zinberg mengatakan hal itu?"
    assert party_in_role(question, "Kepada Leif-Eric Easley.", said) == "Babelpos"
    assert party_in_role(question, "Zinberg mengatakannya kepada Babelpos.", said) is None
    assert party_in_role("Siapa Zinberg?", "Seorang profesor.", said) is None
    threat = (
        "Ini adalah ancaman yang diperhitungkan terhadap aliansi keamanan AS-Korea Selatan-Jepang "
        "di Asia Timur"
    )
    assert (
        party_in_role("Against whom is the threat directed?", "Against NATO.", threat)
        == "AS-Korea Selatan-Jepang"
    )


FACTS = ArticleFacts(title="Korea Utara menggelar karpet merah untuk Putin", author="Dawud")


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Siapa penulis artikel ini?", "author"),
        ("Who wrote this article?", "author"),
        ("Who is the author of this article?", "author"),
        ("Apa judul artikel ini?", "title"),
        ("What is the headline of this news article?", "title"),
        ("Pada tanggal berapa artikel ini diterbitkan?", "date"),
        ("What is the URL of this article?", "url"),
        ("Berapa umur penulis artikel ini?", "unknown"),
        ("What is the job title of the article's author?", "unknown"),
        ("Menurut judul artikel, apa yang digelar Korea Utara untuk Putin?", None),
        ("Apa judul bagian artikel yang memuat kutipan Zinberg?", None),
        ("Siapa yang menulis surat perintah penangkapan?", None),
    ],
)
def test_questions_about_the_article_itself(question: str, fact: str | None) -> None:
    assert asked_article_fact(question) == fact


def test_facts_come_from_the_metadata_and_are_empty_when_it_lacks_them() -> None:
    assert article_fact("Siapa penulis artikel ini?", FACTS) == ("author", "Dawud")
    assert article_fact("What is the URL of this article?", FACTS) == ("url", "")
    assert article_fact("Berapa umur penulis artikel ini?", FACTS) == ("unknown", "")
    assert article_fact("Siapa Easley?", FACTS) is None
    assert fact_sentence("author", "Dawud", "id") == "Artikel ini ditulis oleh Dawud."
    assert "“Korea Utara" in fact_sentence("title", FACTS.title, "en")


def test_the_line_a_fact_was_read_from() -> None:
    text = "Judul Dawud\n\nDawud\n\nbody"
    assert first_line_with(text, "Dawud") == text.index("\nDawud") + 1
    assert first_line_with(text, "body") == text.index("body")
    assert first_line_with(text, "missing") is None


@pytest.fixture
def engine_with(settings):
    from qa.engine import Engine
    from tests.fakes import FakeEmbedder, FakeGenerator

    def make(reply: str):
        engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator(reply))
        engine.reindex()
        return engine

    return make


def test_who_wrote_the_article_is_answered_from_its_byline(engine_with) -> None:
    answer = engine_with("Artikel ini ditulis oleh Leif-Eric Easley [3].").answer(
        "Siapa penulis artikel ini?"
    )
    assert not answer.refused
    assert "Dawud" in answer.answer and "Easley" not in answer.answer
    assert answer.sources[0].cited and answer.sources[0].quote == "Dawud"


def test_what_the_article_does_not_say_about_itself_is_refused(engine_with) -> None:
    engine = engine_with("Penulisnya berusia 40 tahun [1].")
    assert engine.answer("Berapa umur penulis artikel ini?").refused
    # The seed article gives no date of its own: the file's date is not a publication date.
    assert engine.answer("Pada tanggal berapa artikel ini diterbitkan?").refused


def test_an_answer_reversing_its_sentence_is_rewritten_from_it(engine_with) -> None:
    answer = engine_with(
        "Easley mengatakan bahwa sanksi tidak akan mengurangi visi hubungan internasional "
        "Putin-Kim [13]."
    ).answer("Apa yang dikatakan Easley tentang sanksi?")
    assert not answer.refused, answer.answer
    assert "segera menerapkan sanksi" in answer.answer and "tidak" not in answer.answer


def test_a_neighbouring_fact_for_an_exact_time_is_refused(engine_with) -> None:
    answer = engine_with("Putin tiba pada tahun 2000 [2].").answer(
        "Tanggal berapa tepatnya Putin tiba di Pyongyang pada kunjungan tahun 2000?"
    )
    assert answer.refused, answer.answer


def test_the_party_the_sentence_names_replaces_another(engine_with) -> None:
    answer = engine_with("Zinberg mengatakannya kepada Leif-Eric Easley [9].").answer(
        "Kepada siapa Zinberg mengatakan bahwa ini adalah kunjungan yang memiliki banyak "
        "potensi ancaman?"
    )
    assert not answer.refused, answer.answer
    assert answer.answer.startswith("Babelpos")


def test_an_indonesian_numeric_date_is_an_exact_date() -> None:
    """facqa held-out f0020: "Selasa (23/8)" is the exact date asked for, not a missing one."""
    sentence = "Dukungan dideklarasikan di Institut Teknologi Bandung (ITB), Selasa (23/8)."
    assert missing_asked_event("Tanggal berapakah dukungan itu dideklarasikan?", [sentence]) is None
    assert missing_asked_event("Tanggal berapa tepatnya?", ["Harganya 350 dolar pada 2005."])


def test_the_asked_about_party_must_be_named_outside_the_role() -> None:
    """ "Kepada siapa Putin berterima kasih?" does not fit "... meminta komitmen kepada Putin":
    there Putin is the one asked."""
    sentences = ["Namun dia juga bisa meminta komitmen militer yang tegas kepada Putin."]
    asked = "Kepada siapa Putin berterima kasih atas dukungan terhadap operasi militer khusus?"
    assert party_sentence(asked, sentences) is None


def test_an_uncited_clock_time_the_article_never_gives_is_refused(engine_with) -> None:
    answer = engine_with("Putin tiba di Pyongyang pada pukul 24:00.").answer(
        "Tepatnya pukul berapa Putin tiba di Pyongyang?"
    )
    assert answer.refused, answer.answer


def test_a_date_the_answer_gives_as_its_cited_passage_writes_it_is_kept() -> None:
    """facqa f0020 (held-out): the evidence sentence found was the one before the date."""
    from qa.checks.faithful import answer_states_asked

    asked = "Tanggal berapakah dukungan 14 negara dideklarasikan?"
    passage = "Ilmuwan dari 14 negara mendeklarasikan dukungan mereka. Itu terjadi Selasa (23/8)."
    assert answer_states_asked(asked, "Dideklarasikan pada Selasa (23/8).", [passage])
    assert not answer_states_asked(asked, "Dideklarasikan pada Selasa (24/8).", [passage])
    year = "Putin terakhir kali mengunjungi negara itu pada tahun 2000."
    assert not answer_states_asked("Tanggal berapa tepatnya Putin tiba?", "Tahun 2000.", [year])
