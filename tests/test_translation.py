"""The English reading: faithful sentence translations, mapped back to the article, cached."""

from __future__ import annotations

import json

from qa.engine import Engine
from qa.lexical import is_indonesian_word
from qa.prompting import REFUSAL, Passage, tile_chunks
from qa.store import load_index
from qa.translation import (
    TO_ENGLISH_RULES,
    TO_INDONESIAN,
    TO_INDONESIAN_RULES,
    TranslationCache,
    answer_in_indonesian,
    lost_terms,
    read_in_english,
)
from tests.conftest import SEED_FILE
from tests.fakes import FakeEmbedder, FakeGenerator, ScriptedTranslator, as_shown, fake_translation

ARTICLE = SEED_FILE.read_text(encoding="utf-8")
SENTENCE = "Putin terakhir kali mengunjungi negara itu pada tahun 2000."


def _passage(text: str, start: int = 100) -> Passage:
    return Passage(1, "a.txt", "Judul", start, start + len(text), text)


def test_lost_terms_catches_dropped_names_and_mistranslated_days_and_directions() -> None:
    source = "Lim Eunjung, profesor di Universitas Nasional Kongju Korea Selatan, pada Selasa."
    good = "Lim Eunjung, a professor at Kongju National University in South Korea, on Tuesday."
    assert lost_terms(source, good) == []
    dropped = "Lim Eunjung, a professor at the National University of South Korea, on Tuesday."
    assert lost_terms(source, dropped) == ["Kongju"]
    assert lost_terms(source, good.replace("South", "North")) == ["Selatan"]
    assert lost_terms(source, good.replace("Tuesday", "Saturday")) == ["Selasa"]
    # near spellings across languages and numbers with other separators still count
    assert lost_terms("Lalu Rusia mengirim 5.000.000 peluru.", "Then Russia sent 5,000,000.") == []
    assert lost_terms("Lalu Rusia mengirim 2000 peluru.", "Then Russia sent 200 shells.") == [
        "2000"
    ]


def test_read_in_english_translates_once_and_keeps_unfaithful_sentences(tmp_path) -> None:
    text = f"{SENTENCE} Kim Jong Un senang."
    passage = _passage(text)
    cache = TranslationCache(tmp_path / "t.json", "model-a")
    generator = FakeGenerator()
    assert read_in_english([passage], generator, cache, translate=False) is None
    readings = read_in_english([passage], generator, cache, translate=True)
    assert readings is not None
    (reading,) = readings
    assert reading.segments[0].english == fake_translation(SENTENCE)
    assert "last time visited" in reading.text and reading.passage == passage
    # the English span of the first sentence maps to the Indonesian sentence's offsets
    lo, hi = reading.to_article(0, 10)
    assert (lo, hi) == (passage.start, passage.start + len(SENTENCE))
    calls = len(generator.prompts)
    # a fresh cache object reads the file: nothing is translated again
    again = TranslationCache(tmp_path / "t.json", "model-a")
    assert read_in_english([passage], generator, again, translate=False) == readings
    assert len(generator.prompts) == calls
    # another model's translations are not reused
    other = TranslationCache(tmp_path / "t.json", "model-b")
    assert read_in_english([passage], generator, other, translate=False) is None
    # a translation that drops a name (twice) leaves the sentence in Indonesian
    liar = FakeGenerator(reply="He is happy.")
    fresh = TranslationCache(tmp_path / "u.json", "model-a")
    (kept,) = read_in_english([_passage("Kim Jong Un senang.")], liar, fresh) or []
    assert kept.text == "Kim Jong Un senang."
    assert len(liar.prompts) == 2


class ForgetfulTranslator(FakeGenerator):
    """Drops the names of a long text (as the 1.5B model does) but keeps a short clause's."""

    def _compose(self, prompt: str) -> str:
        english = super()._compose(prompt)
        if len(english.split()) <= 6:
            return english
        first, *rest = english.split()
        return " ".join([first, *(w for w in rest if not w[0].isupper())])


def test_a_sentence_that_loses_a_name_is_translated_clause_by_clause(tmp_path) -> None:
    head = "Yakov Zinberg mengunjungi Kokushikan,"
    tail = "Putin mengunjungi negara itu pada tahun 2000."
    sentence = f"{head} {tail}"
    generator = ForgetfulTranslator()
    cache = TranslationCache(tmp_path / "t.json", "model-a")
    (reading,) = read_in_english([_passage(sentence)], generator, cache) or []
    # twice for the whole sentence (names lost), then once for each half
    assert len(generator.prompts) == 4
    assert reading.text == f"{fake_translation(head)} {fake_translation(tail)}"
    assert lost_terms(sentence, reading.text) == []
    # a half that still loses a name stays Indonesian, the other half is English
    long_head = "Yakov Zinberg dan Lim Eunjung mengunjungi Universitas Nasional Kongju,"
    sentence = f"{long_head} {tail}"
    cache = TranslationCache(tmp_path / "u.json", "model-a")
    (reading,) = read_in_english([_passage(sentence)], ForgetfulTranslator(), cache) or []
    assert reading.text == f"{long_head} {fake_translation(tail)}"


def test_a_damaged_translation_file_is_ignored(tmp_path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{not json")
    cache = TranslationCache(path, "m")
    assert cache.get(SENTENCE) is None
    cache.put(SENTENCE, "Putin last visited in 2000.")
    cache.save()
    assert json.loads(path.read_text())["entries"]
    assert not list(tmp_path.glob(".*tmp"))


def test_english_questions_read_the_english_reading_and_quote_the_article(settings) -> None:
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    assert engine.warm_up(translate=True) == "unsupported"  # the fake has no KV state
    assert list((settings.cache_dir / "translations").glob("*.json"))

    answer = engine.answer("Which year was the last time?")
    prompt = generator.prompts[-1]
    assert fake_translation(SENTENCE) in prompt and SENTENCE not in prompt
    (source,) = [s for s in answer.sources if s.cited]
    assert ARTICLE[source.start : source.end] == source.text
    assert source.quote == SENTENCE  # the Indonesian sentence behind the English one
    assert fake_translation(SENTENCE).rstrip(".") in answer.answer

    engine.answer("Kapan Putin terakhir kali mengunjungi negara itu?")
    assert SENTENCE in generator.prompts[-1]
    assert fake_translation(SENTENCE) not in generator.prompts[-1]


def test_english_reading_off_or_untranslated_keeps_the_articles_text(settings) -> None:
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    engine.answer("Which year was the last time?")  # nothing translated yet
    assert SENTENCE in generator.prompts[-1]
    assert not (settings.cache_dir / "translations").exists()

    off = Engine(
        settings.with_overrides(english_reading="off"), embedder=FakeEmbedder(), generator=generator
    )
    off.warm_up(translate=True)
    off.answer("Which year was the last time?")
    assert SENTENCE in generator.prompts[-1]
    assert not (settings.cache_dir / "translations").exists()


def test_an_english_corpus_is_not_translated(settings, tmp_path) -> None:
    seeds = tmp_path / "en-seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("The mayor opened the new bridge on Monday. It cost a lot.\n")
    generator = FakeGenerator()
    engine = Engine(
        settings.with_overrides(seeds_dir=seeds, index_dir=tmp_path / "en-index"),
        embedder=FakeEmbedder(),
        generator=generator,
    )
    engine.reindex()
    engine.warm_up(translate=True)
    assert generator.prompts == []
    assert tile_chunks(load_index(tmp_path / "en-index").chunks)


def test_strict_lost_terms_want_directions_translated_and_first_words_when_names() -> None:
    question = "Kosmodrom apa yang dikunjungi Kim di Timur Jauh Rusia?"
    half_read = "What cosmodrome did Kim visit in Timur Jauh Russia?"
    assert lost_terms(question, half_read) == []  # the reading's check lets it through
    assert lost_terms(question, half_read, strict=True) == ["Timur", "Jauh"]
    dropped = "What did Kim visit in the Russian Far East?"
    assert lost_terms(question, dropped, strict=True) == []  # a capital at the start says nothing
    not_indonesian = lambda word: not is_indonesian_word(word)  # noqa: E731
    assert lost_terms(question, dropped, strict=True, first_word=not_indonesian) == ["Kosmodrom"]
    opener = "Kerja sama di bidang apa yang akan diumumkan?"
    assert (
        lost_terms(opener, "What cooperation will be announced?", first_word=not_indonesian) == []
    )
    answer = "On Tuesday North Korea rolled out the red carpet."
    assert (
        lost_terms(answer, "Pada Selasa Korea Utara menggelar karpet merah.", TO_INDONESIAN) == []
    )
    assert lost_terms(
        answer, "Pada Selasa North Korea menggelar karpet merah.", TO_INDONESIAN, strict=True
    ) == ["North"]


def test_an_answer_put_back_into_indonesian_keeps_its_names_and_is_indonesian() -> None:
    passages = "Then Putin visited Pyongyang. Many countries object."
    script = {
        "Putin visited Pyongyang.": "Pemerintah Rusia mengunjungi Pyongyang.",
        "Many countries object.": "Banyak negara keberatan.",
        "Russia needs skilled workers because of the war.": "Rusia butuh pekerja karena war.",
    }
    generator = ScriptedTranslator(script)
    assert answer_in_indonesian(generator, "Putin visited Pyongyang. [2]", passages) is None
    assert answer_in_indonesian(generator, "Many countries object. [1]", passages) == (
        "Banyak negara keberatan. [1]"
    )
    garbled = "Russia needs skilled workers because of the war. [3]"
    assert answer_in_indonesian(generator, garbled, passages) is None  # "war" is not Indonesian


QUESTION_ID = "Kapan wali kota membuka jembatan baru itu?"
QUESTION_EN = "When did the mayor open the new bridge?"
ANSWER_EN = "The mayor opened the new bridge on Monday"


def _english_engine(settings, tmp_path, script: dict[str, str]) -> tuple[Engine, FakeGenerator]:
    seeds = tmp_path / "en-seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("The mayor opened the new bridge on Monday. It cost a lot.\n")
    generator = ScriptedTranslator(script)
    engine = Engine(
        settings.with_overrides(seeds_dir=seeds, index_dir=tmp_path / "en-index"),
        embedder=FakeEmbedder(),
        generator=generator,
    )
    engine.reindex()
    return engine, generator


def test_an_indonesian_question_over_english_articles_is_read_in_english_and_answered_back(
    settings, tmp_path
) -> None:
    back = "Wali kota membuka jembatan baru itu pada hari Senin."
    engine, generator = _english_engine(
        settings, tmp_path, {QUESTION_ID: QUESTION_EN, f"{ANSWER_EN}.": back}
    )
    stream = engine.ask(QUESTION_ID)
    shown = as_shown(stream)
    answer = stream.answer
    assert answer.answer == f"{back} [1]" and shown.endswith(f"\n\n{answer.answer}")
    assert answer.language == "id" and answer.question == QUESTION_ID and not answer.refused
    cited = [s for s in answer.sources if s.cited]
    assert cited and cited[0].quote.startswith("The mayor opened")
    answering = [p for p in generator.prompts if not p.startswith("<|im_start|>system\nTrans")]
    assert QUESTION_EN in answering[-1] and QUESTION_ID not in answering[-1]


def test_an_answer_whose_translation_loses_a_name_stays_as_it_was_read(settings, tmp_path) -> None:
    lossy = "Wali kota membuka jembatan baru itu."  # "Monday" lost, on both tries
    engine, _ = _english_engine(
        settings, tmp_path, {QUESTION_ID: QUESTION_EN, f"{ANSWER_EN}.": lossy}
    )
    answer = engine.answer(QUESTION_ID)
    assert answer.answer.startswith(ANSWER_EN) and answer.language == "en"
    assert answer.question == QUESTION_ID


def test_a_refusal_read_in_english_is_given_in_indonesian(settings, tmp_path) -> None:
    question = "Siapa presiden Prancis?"
    engine, generator = _english_engine(
        settings, tmp_path, {question: "Who is the president of France?"}
    )
    answer = engine.answer(question)
    assert answer.refused and answer.answer == REFUSAL["id"]
    assert not any(
        p.startswith(f"<|im_start|>system\n{TO_INDONESIAN_RULES}") for p in generator.prompts
    )


def test_a_question_whose_translation_loses_a_name_is_asked_as_written(settings, tmp_path) -> None:
    question = "Apa yang dibuka wali kota pada hari Senin?"
    engine, generator = _english_engine(
        settings, tmp_path, {question: "What did the mayor open on Saturday?"}
    )
    answer = engine.answer(question)
    assert answer.language == "id"
    assert question in generator.prompts[-1]


def test_indonesian_questions_over_indonesian_articles_are_not_translated(fake_engine) -> None:
    fake_engine.answer("Kapan Putin terakhir kali mengunjungi Pyongyang?")
    prompts = fake_engine.generator.prompts
    assert prompts and not any(TO_ENGLISH_RULES in p for p in prompts)


def test_the_shape_asked_for_is_the_users_question_not_its_translation(settings, tmp_path) -> None:
    """A translation that turns the question into "how many" must not refuse the answer to what
    was asked (seed s042, s011 over the English article)."""
    question = "Bagaimana wali kota membuka jembatan baru itu?"
    engine, _ = _english_engine(
        settings, tmp_path, {question: "How many new bridges did the mayor open?"}
    )
    answer = engine.answer(question)
    assert not answer.refused and answer.answer.startswith(ANSWER_EN)
