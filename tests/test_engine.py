from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

import pytest

from qa.config import load_settings
from qa.engine import Engine
from qa.errors import IndexMismatchError, IndexMissingError, InputError
from qa.prompting import (
    REFUSAL,
    Turn,
    cited_claims,
    is_refusal,
    merge_spans,
    rules_prefix,
    tile_chunks,
)
from qa.translation import QUESTION_RULES
from tests.conftest import SEED_FILE
from tests.fakes import EchoingGenerator, FakeEmbedder, FakeGenerator, ReluctantGenerator, as_shown

ARTICLE = SEED_FILE.read_text(encoding="utf-8")


def test_answer_cites_a_source_whose_text_is_the_article_span(fake_engine: Engine) -> None:
    answer = fake_engine.answer("Kapan Putin terakhir kali mengunjungi negara itu?")
    assert answer.sources, answer
    numbers = [n for n, _claim in cited_claims(answer.answer)]
    assert numbers and numbers[0] == answer.sources[0].n
    for source in answer.sources:
        assert ARTICLE[source.start : source.end] == source.text
        assert source.doc == SEED_FILE.name
    data = answer.as_json()
    assert set(data) >= {"question", "answer", "sources", "timings", "model"}
    assert set(data["sources"][0]) >= {"doc", "title", "text", "start", "end", "score"}
    assert set(data["timings"]) == {"retrieve_ms", "ttft_ms", "total_ms"}


def test_streaming_yields_pieces_and_passages_come_first(fake_engine: Engine) -> None:
    stream = fake_engine.ask("Siapa Yakov Zinberg?")
    assert stream.passages
    pieces = list(stream)
    assert len(pieces) > 1
    assert stream.answer.answer == "".join(pieces).strip()


def test_cancel_stops_generation(settings) -> None:
    generator = FakeGenerator(reply="satu dua tiga empat lima enam tujuh")
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Siapa Easley?")
    it = iter(stream)
    next(it)
    stream.close()
    assert stream.answer.cancelled and generator.cancelled.is_set()
    assert stream.answer.answer == "satu"


def test_refusal_has_no_sources_and_is_detected(settings) -> None:
    engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator(REFUSAL["en"]))
    engine.reindex()
    answer = engine.answer("Who is the president of France?")
    assert answer.refused and answer.sources == () and answer.language == "en"
    assert is_refusal("Artikel tidak menyebutkan hal itu.")
    assert not is_refusal("Putin mengunjungi Korea Utara pada tahun 2000 [2].")


def test_prompt_prefix_is_stable_across_questions(settings) -> None:
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    engine.answer("Siapa Easley?")
    engine.answer("Di mana Ewha Womans University?")
    first, second = generator.prompts
    cut = first.index("<|im_start|>user")
    assert first[:cut] == second[:cut], "everything before the question must be identical"
    assert first.index("<|im_start|>system") == 0


def test_retrieval_mode_gives_k_merged_passages(settings) -> None:
    settings = dataclasses.replace(settings, context_mode="retrieve", k=4)
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Kapan Putin terakhir kali mengunjungi Pyongyang?")
    assert 1 <= len(stream.passages) <= 4
    assert any("2000" in p.text or "24" in p.text for p in stream.passages)
    for p in stream.passages:
        assert ARTICLE[p.start : p.end] == p.text
    stream.answer  # noqa: B018


def test_passages_far_below_the_best_stay_out_of_a_retrieval_prompt(settings) -> None:
    settings = dataclasses.replace(
        settings,
        context_mode="retrieve",
        k=5,
        context_chars=5000,
        other_passage_chars=5000,
        passage_floor=0.0,
    )
    question = "Kapan Putin terakhir kali mengunjungi Pyongyang?"
    everything = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    everything.reindex()
    all_scores = [p.score for p in everything.ask(question).passages]
    floor = 0.9
    assert any(s < floor * all_scores[0] for s in all_scores), "the test needs a weak passage"

    floored = dataclasses.replace(settings, passage_floor=floor)
    engine = Engine(floored, embedder=FakeEmbedder(), generator=FakeGenerator())
    engine.reindex()
    kept = engine.ask(question).passages
    assert [p.score for p in kept] == [s for s in all_scores if s >= floor * all_scores[0]]
    assert [p.n for p in kept] == list(range(1, len(kept) + 1))


def test_runner_up_passages_are_cut_to_their_best_sentences(settings) -> None:
    settings = dataclasses.replace(
        settings, context_mode="retrieve", k=5, context_chars=2000, passage_floor=0.0
    )
    question = "Kapan Putin terakhir kali mengunjungi Pyongyang?"
    whole = Engine(
        dataclasses.replace(settings, other_passage_chars=2000),
        embedder=FakeEmbedder(),
        generator=FakeGenerator(),
    )
    whole.reindex()
    full = whole.ask(question).passages
    assert len(full) > 1 and any(len(p.text) > 300 for p in full[1:]), "the test needs long ones"

    engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    engine.reindex()
    cut = engine.ask(question).passages
    assert cut[0].text == full[0].text
    assert len(cut) > 1 and all(len(p.text) <= 300 for p in cut[1:])
    for p in cut:
        assert ARTICLE[p.start : p.end] == p.text


def test_a_retrieval_prompt_starts_with_the_prefilled_rules_even_after_a_translation(
    settings,
) -> None:
    """The rules are prefilled once (a saved state in a fresh process); a question's translation
    uses the same KV cache, so the rules are put back before the answer's prompt."""

    class PrefillingGenerator(FakeGenerator):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[tuple[str, str]] = []

        def prefill(self, prefix: str, state_dir) -> str:
            self.events.append(("prefill", prefix))
            return "computed"

        def stream(self, prompt: str, max_tokens: int):
            self.events.append(("stream", prompt))
            return super().stream(prompt, max_tokens)

    generator = PrefillingGenerator()
    engine = Engine(
        dataclasses.replace(settings, context_mode="retrieve"),
        embedder=FakeEmbedder(),
        generator=generator,
    )
    engine.reindex()
    assert engine.warm_up() == "retrieval"
    assert generator.events == [("prefill", rules_prefix())]
    engine.answer("Kapan Putin terakhir kali mengunjungi Pyongyang?")
    engine.answer("When did Putin last visit Pyongyang?")
    kinds = [kind for kind, _ in generator.events]
    assert kinds == ["prefill", "prefill", "stream", "stream", "prefill", "stream"]
    translation, answer = generator.events[3][1], generator.events[5][1]
    assert translation.startswith(f"<|im_start|>system\n{QUESTION_RULES}")
    assert answer.startswith(rules_prefix()) and generator.events[2][1].startswith(rules_prefix())


@pytest.mark.parametrize("raw", ["1.5", "-0.1", "half"])
def test_a_passage_floor_outside_0_to_1_is_a_user_mistake(raw: str) -> None:
    with pytest.raises(InputError, match=r"QA_PASSAGE_FLOOR|passage floor"):
        load_settings(environ={"QA_PASSAGE_FLOOR": raw})


def test_follow_up_passes_history_and_carries_the_topic(settings) -> None:
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    history = [Turn("Siapa Yakov Zinberg?", "Profesor di Universitas Kokushikan [7].")]
    engine.answer("Di kota mana dia bekerja?", history)
    prompt = generator.prompts[-1]
    assert "Siapa Yakov Zinberg?" in prompt and "Profesor di Universitas Kokushikan [7]." in prompt
    assert engine.search_query("Di kota mana dia bekerja?", history).startswith("Siapa Yakov")


def test_a_follow_up_prompt_extends_the_previous_prompt_and_answer(settings) -> None:
    """What llama.cpp already holds (the last prompt and the answer it generated) is a prefix of
    the follow-up's prompt, so only the new question is prefilled."""
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    first = engine.answer("Siapa Yakov Zinberg?")
    engine.answer("Where does he work?", [Turn(first.question, first.answer)])
    asked, follow_up = generator.prompts
    assert follow_up.startswith(asked + first.answer + "<|im_end|>")


@pytest.mark.parametrize("question", ["", "   \n\t ", "x" * 5000])
def test_bad_questions_are_refused_before_any_work(fake_engine: Engine, question: str) -> None:
    with pytest.raises(InputError):
        fake_engine.ask(question)


def test_missing_index_says_to_run_qa_index(settings) -> None:
    engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    with pytest.raises(IndexMissingError, match="qa index"):
        engine.ask("Siapa Easley?")


def test_index_from_another_embedder_is_refused(settings) -> None:
    Engine(settings, embedder=FakeEmbedder(name="a"), generator=FakeGenerator()).reindex()
    engine = Engine(settings, embedder=FakeEmbedder(name="b"), generator=FakeGenerator())
    with pytest.raises(IndexMismatchError, match="qa index"):
        engine.ask("Siapa Easley?")


def test_reindex_is_picked_up_by_the_next_question(fake_engine: Engine, seeds) -> None:
    assert fake_engine.index_info().articles == 1
    (seeds / "baru.txt").write_text("Festival Kopi\n\nFestival kopi digelar di Takengon.")
    report = fake_engine.reindex()
    assert report.added == ("baru.txt",)
    assert fake_engine.index_info().articles == 2
    answer = fake_engine.answer("Di mana festival kopi digelar?")
    assert any(s.doc == "baru.txt" for s in answer.sources)


def test_passage_helpers_keep_exact_offsets(fake_engine: Engine) -> None:
    chunks = fake_engine._load().index.chunks
    tiles = tile_chunks(chunks)
    for a, b in itertools.pairwise(tiles):
        assert a.end <= b.start
    assert all(ARTICLE[p.start : p.end] == p.text for p in tiles)
    total = sum(len(p.text) for p in tiles)
    assert tile_chunks(chunks, max_chars=total + 1) == tiles
    assert tile_chunks(chunks, max_chars=total) is None  # the bound is reached: not a prompt
    merged = merge_spans([(chunks[3], 0.5), (chunks[4], 0.9), (chunks[0], 0.1)])
    assert merged[0].score == 0.9 and merged[0].start == chunks[3].start
    assert (
        merged[0].end == chunks[4].end
        and ARTICLE[merged[0].start : merged[0].end] == merged[0].text
    )


def test_titles_go_into_the_prompt_only_when_they_are_headlines() -> None:
    from qa.prompting import Passage, format_passages

    body = "Presiden meresmikan jembatan baru pada hari Senin. Biayanya besar."
    paragraph_title = "Untuk PLTS, satu unit PLTS terdiri dari modul surya " * 4
    shown = format_passages(
        [
            Passage(1, "a.txt", "Jembatan baru diresmikan", 0, len(body), body),
            Passage(2, "b.txt", paragraph_title.strip(), 0, len(body), body),
            Passage(3, "c.txt", "Berita hari ini", 0, 15, "Berita hari ini"),
            Passage(4, "d.txt", "Presiden meresmikan jembatan…", 0, len(body), body),
        ]
    )
    assert shown.count("Article:") == 1 and "Article: Jembatan baru diresmikan" in shown
    assert "modul surya" not in shown  # an untitled article's first paragraph is not repeated


def test_english_questions_search_indonesian_articles_in_indonesian_too(settings) -> None:
    """Too many articles for the prompt: an English question is translated for retrieval, once."""
    settings = dataclasses.replace(settings, context_mode="retrieve", k=1)
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    question = "In what year did Putin last visit that country?"

    hits = engine.retrieve(question)
    engine.retrieve(question)

    translations = [
        p for p in generator.prompts if p.startswith(f"<|im_start|>system\n{QUESTION_RULES}")
    ]
    assert len(translations) == 1, "a question is translated once, then remembered"
    assert "2000" in hits[0].chunk.text
    assert "Putin terakhir visit itu negara" in engine._query(engine._load(), question, ())


@pytest.mark.parametrize("change", [{"context_mode": "auto"}, {"english_reading": "off"}])
def test_no_query_translation_when_the_corpus_fits_or_it_is_off(settings, change) -> None:
    settings = dataclasses.replace(settings, **{"context_mode": "retrieve", **change})
    generator = FakeGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    engine.retrieve("In what year did Putin last visit that country?")
    assert not any(QUESTION_RULES in p for p in generator.prompts)


def test_a_refusal_is_held_back_and_the_model_asked_again(settings) -> None:
    """The model's own refusal is not shown: it answers on a second try, then is grounded."""
    generator = ReluctantGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Kapan Putin terakhir kali mengunjungi negara itu?")
    pieces = list(stream)
    answer = stream.answer
    assert not answer.refused and "Putin" in answer.answer and answer.sources
    assert "Artikel" not in "".join(pieces)  # the first try never reached the screen
    assert len(generator.prompts) == 2 and generator.prompts[0] == generator.prompts[1]
    assert {*REFUSAL.values(), "Tidak"} <= set(generator.avoided)


def test_a_second_try_from_outside_knowledge_is_still_refused(settings) -> None:
    generator = ReluctantGenerator(second="Emmanuel Macron memimpin Prancis. [1]")
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    answer = engine.answer("Siapa yang mendampingi Putin?")
    assert answer.refused and answer.answer == REFUSAL["id"] and answer.sources == ()


def test_a_refusal_after_an_answer_has_started_is_not_asked_again(settings) -> None:
    generator = ReluctantGenerator()
    generator.stream = lambda prompt, max_tokens: iter(  # type: ignore[method-assign]
        ["Putin", " datang.", " Artikel", " tidak", " menyebutkan", " hal", " itu."]
    )
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    engine.answer("Siapa yang datang?")
    assert generator.avoided == []


def test_an_answer_saying_the_question_back_is_asked_again(settings) -> None:
    """Shown as it streams (it is not held back), then followed and replaced by a second try."""
    generator = EchoingGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Negara mana yang menggelar karpet merah untuk Putin?")
    shown = as_shown(stream)
    answer = stream.answer
    assert shown.startswith("Menggelar karpet merah untuk Putin.\n\nKorea Utara")
    assert answer.answer.startswith("Korea Utara") and not answer.refused and answer.sources
    assert generator.avoided[0] == "Menggelar" and "Tidak" in generator.avoided


def test_a_question_said_back_twice_keeps_the_first_wording(settings) -> None:
    """Not a refusal: the passage it cites is likely the right one, so "the articles do not
    say" could be false."""
    generator = EchoingGenerator(second="Karpet merah untuk Putin. [1]")
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    answer = engine.answer("Negara mana yang menggelar karpet merah untuk Putin?")
    assert answer.answer.startswith("Menggelar karpet merah untuk Putin.") and not answer.refused
    assert generator.avoided[0] == "Menggelar"


def test_a_who_answer_naming_no_one_is_asked_again_up_to_the_name(settings) -> None:
    """Seed s017: the model wrote the quote back, not who said it; the second try goes on from
    the question as a statement up to the name (``naming_opening``)."""
    generator = EchoingGenerator(second="Korea Utara. [1]")
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Siapa yang menggelar karpet merah untuk Putin?")
    shown = as_shown(stream)
    answer = stream.answer
    opening = "Yang menggelar karpet merah untuk Putin adalah"
    assert generator.prompts[-1].endswith(f"<|im_start|>assistant\n{opening}")
    assert shown.endswith(f"\n\n{opening} Korea Utara. [1]")
    assert answer.answer == f"{opening} Korea Utara. [1]" and not answer.refused
    assert "Menggelar" not in generator.avoided and "Tidak" in generator.avoided


@pytest.mark.parametrize(
    ("second", "kept"),
    [
        ("Pada tahun 2000.", "Pada tahun 2000."),  # the second try places it in time
        ("Kunjungan itu terjadi lagi.", "Putin terakhir kali"),  # failing twice: the first stays
    ],
)
def test_a_when_answer_placing_nothing_in_time_is_asked_again(
    settings, second: str, kept: str
) -> None:
    first = "Putin terakhir kali mengunjungi Korea Utara bersama Kim."
    generator = EchoingGenerator(second=second, first=first)
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    answer = engine.answer("Kapan Putin terakhir kali mengunjungi Korea Utara?")
    assert answer.answer.startswith(kept) and not answer.refused and answer.sources
    assert generator.avoided[0] == "Putin"


def test_an_answer_of_the_wrong_shape_is_refused_without_a_second_try(settings) -> None:
    """A second try at a count it could not give guesses one from nearby (seed s070)."""
    generator = EchoingGenerator(
        second="Sekitar 24 tahun yang lalu.", first="Putin terakhir ke Pyongyang bersama Kim."
    )
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    answer = engine.answer("Berapa tahun yang lalu Putin terakhir ke Pyongyang?")
    assert answer.refused and generator.avoided == []


def test_a_yes_no_question_answered_by_saying_it_is_not_asked_again(settings) -> None:
    generator = EchoingGenerator()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Apakah Korea Utara menggelar karpet merah untuk Putin?")
    assert as_shown(stream).startswith("Menggelar karpet")
    assert generator.avoided == []


OPENING = "Nama negara yang menggelar karpet merah untuk Putin adalah"


def test_an_answer_goes_on_from_its_opening(settings) -> None:
    """The prompt ends with the question as a statement up to its gap; the answer starts with
    it, shown along with the model's first token (not before it: that would fake the time to
    the first token)."""
    generator = FakeGenerator(reply="Korea Utara [1].")
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Apa nama negara yang menggelar karpet merah untuk Putin?")
    pieces = list(stream)
    assert generator.prompts[-1].endswith(f"<|im_start|>assistant\n{OPENING}")
    assert pieces[0] == f"{OPENING} Korea"
    answer = stream.answer
    assert answer.answer.startswith(f"{OPENING} Korea Utara") and not answer.refused
    assert answer.sources
    # what the model wrote, the opening included, before rewriting (what a replay feeds back)
    assert stream.written == f"{OPENING} Korea Utara [1]."


def test_an_opening_keeps_its_space_when_the_first_token_is_a_lone_space(settings) -> None:
    """Qwen writes " 67P" as " ", "6", "7", "P": the word after the lone space is the first."""

    class SpacedGenerator(FakeGenerator):
        def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
            self.prompts.append(prompt)
            yield from [" ", "Korea", " Utara", " [1]."]

    engine = Engine(settings, embedder=FakeEmbedder(), generator=SpacedGenerator())
    engine.reindex()
    stream = engine.ask("Apa nama negara yang menggelar karpet merah untuk Putin?")
    assert as_shown(stream).startswith(f"{OPENING} Korea Utara")
    assert stream.answer.answer.startswith(f"{OPENING} Korea Utara")


def test_an_opening_is_spaced_from_a_quote_but_not_from_a_full_stop(settings) -> None:
    """'Zinberg calls the visit' + '"a potential threat."' needs its space; a '.' does not."""
    question = "Apa nama negara yang menggelar karpet merah untuk Putin?"
    for reply, shown in (('"Korea Utara" [1].', f'{OPENING} "Korea Utara"'), (". [1]", OPENING)):
        engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator(reply=reply))
        engine.reindex()
        assert as_shown(engine.ask(question)).startswith(shown)


def test_a_refusal_after_the_opening_is_held_back_and_asked_again_without_it(settings) -> None:
    generator = ReluctantGenerator(second="Korea Utara menggelar karpet merah untuk Putin [1].")
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    stream = engine.ask("Apa nama negara yang menggelar karpet merah untuk Putin?")
    shown = as_shown(stream)
    first, second = generator.prompts
    assert first.endswith(OPENING) and second.endswith("<|im_start|>assistant\n")
    assert shown.startswith("Korea Utara") and "Artikel" not in shown and OPENING not in shown
    assert stream.answer.answer.startswith("Korea Utara") and not stream.answer.refused


def test_bench_scripts_reach_the_index_and_retriever_through_public_properties(
    fake_engine,
) -> None:
    chunks = fake_engine.index.chunks
    assert chunks and fake_engine.index.lexical.share("Putin") > 0
    hits = fake_engine.retriever.search("Putin Pyongyang", 3)
    assert [h.chunk for h in hits] == [
        h.chunk for h in fake_engine.retrieve("Putin Pyongyang", k=3)
    ]
    assert fake_engine.whole_corpus()
