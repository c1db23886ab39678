"""qa search, summaries and the watched folder, on the fake embedder and generator."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from qa.engine import Engine
from qa.scope import Scope
from qa.search_view import highlighted, matching_words
from qa.summary import asks_for_summary, summary_sentences
from qa.watch import watch
from tests.conftest import SEED_FILE
from tests.fakes import FakeEmbedder, FakeGenerator

PUTIN_2000 = "Putin terakhir kali mengunjungi negara itu pada tahun 2000."


def test_search_json_has_scores_offsets_and_marks(cli) -> None:
    assert cli("index", "--no-prefill")[0] == 0
    code, out, _ = cli("search", "--json", "--k", "3", "Putin terakhir mengunjungi")
    data = json.loads(out)
    assert code == 0 and len(data["passages"]) == 3
    top = data["passages"][0]
    article = SEED_FILE.read_text(encoding="utf-8")
    assert article[top["start"] : top["end"]] == top["text"]
    assert set(top["scores"]) == {"dense", "lexical", "fused"} and top["scores"]["fused"] > 0
    words = {top["text"][s:e] for s, e in top["marks"]}
    assert {"Putin", "terakhir", "mengunjungi"} <= words
    assert "date" in top and "source" in top


def test_search_loads_no_generator(settings) -> None:
    class NoModel(FakeGenerator):
        def stream(self, prompt: str, max_tokens: int):
            raise AssertionError("qa search must not generate")

        def count_tokens(self, text: str) -> int:
            raise AssertionError("qa search must not load the model")

    engine = Engine(settings, embedder=FakeEmbedder(), generator=NoModel())
    engine.reindex()
    hits = engine.search("Kapan Putin mengunjungi Korea Utara?", 2, Scope(docs=(SEED_FILE.name,)))
    assert len(hits) == 2


def test_highlighting_escapes_markup_and_control_characters() -> None:
    text = "Kim [bold]Putin[/bold] \x1b]0;pwned\x07 datang"
    marks = matching_words(text, "Putin datang")
    markup = highlighted(text, marks)
    assert "\x1b" not in markup and "\x07" not in markup and "␛" in markup
    assert "\\[bold]" in markup  # the article's brackets are text, not style
    assert "[bold yellow]Putin[/bold yellow]" in markup
    assert "[bold yellow]datang[/bold yellow]" in markup


def test_search_text_output_is_terminal_safe(cli, seeds: Path) -> None:
    (seeds / "evil.txt").write_text(
        "Judul\n\nPutin \x1b[2J datang [red]ke[/red] Pyongyang.\n", encoding="utf-8"
    )
    assert cli("index", "--no-prefill")[0] == 0
    code, out, _ = cli("search", "--doc", "evil.txt", "Putin datang")
    assert code == 0 and "\x1b" not in out and "␛[2J" in out and "[red]ke[/red]" in out


def test_summary_requests_are_recognised() -> None:
    for q in (
        "Ringkas artikel ini",
        "Buat ringkasan berita ini",
        "Summarise this article",
        "What is this article about?",
        "rangkum artikelnya",
    ):
        assert asks_for_summary(q), q
    for q in ("Kapan Putin datang?", "Siapa Kim Jong Un?", "Who wrote the summary report?"[:9]):
        assert not asks_for_summary(q), q


def test_summary_sentences_span_the_whole_article(fake_engine: Engine) -> None:
    chunks = fake_engine._load().index.chunks
    article = SEED_FILE.read_text(encoding="utf-8")
    chosen = summary_sentences(chunks)
    assert len(chosen) == 6 and [p.n for p in chosen] == [1, 2, 3, 4, 5, 6]
    assert all(article[p.start : p.end] == p.text for p in chosen)
    assert chosen[0].start < len(article) / 4 and chosen[-1].start > len(article) * 3 / 4


def test_a_summary_cites_the_sentences_it_summarised(settings) -> None:
    reply = (
        "Rusia dan Korea Utara ingin menunjukkan persahabatan mereka [1]. "
        "Putin bersedia memasok minyak dan gas [5]."
    )
    generator = FakeGenerator(reply=reply)
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    answer = engine.answer("Ringkas artikel ini", scope=Scope(docs=(SEED_FILE.name,)))
    assert not answer.refused and {s.n for s in answer.sources} == {1, 5}
    assert all(s.cited for s in answer.sources) and answer.sources
    article = SEED_FILE.read_text(encoding="utf-8")
    for source in answer.sources:
        assert article[source.start : source.end] == source.text  # a whole sentence
        assert source.text.endswith((".", "”", '"'))
    prompt = generator.prompts[-1]
    assert "Ringkas artikel" in prompt and "[6]" in prompt


def test_summarize_shortcut(cli, monkeypatch) -> None:
    assert cli("index", "--no-prefill")[0] == 0
    code, out, _ = cli("summarize", "--json", SEED_FILE.name)
    assert code == 0 and json.loads(out)["question"] == "Ringkas artikel ini"
    code, _, err = cli("summarize", "nope.txt")
    assert code == 2 and "no article 'nope.txt'" in err


def _wait(condition, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_watch_adds_renames_and_removes(settings, seeds: Path) -> None:
    engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    engine.reindex()
    reader = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    stop, ready, errors = threading.Event(), threading.Event(), []
    thread = threading.Thread(
        target=watch,
        args=(engine, stop, lambda _r: None, errors.append),
        kwargs={"debounce": 0.2, "ready": ready.set},
        daemon=True,
    )
    thread.start()
    assert ready.wait(5)

    def docs() -> set[str]:
        reader.newer_index()
        return {doc for doc, _, _ in reader.articles()}

    try:
        (seeds / "banjir.txt").write_text("Banjir\n\nBanjir melanda Semarang.\n", "utf-8")
        assert _wait(lambda: "banjir.txt" in docs())
        (seeds / "banjir.txt").rename(seeds / "banjir2.md")
        assert _wait(lambda: "banjir2.md" in docs() and "banjir.txt" not in docs())
        (seeds / "bad.txt").write_text("---\ndate: kemarin\n---\nIsi.\n", "utf-8")
        assert _wait(lambda: bool(errors)) and "bad.txt" in errors[0]
        (seeds / "bad.txt").unlink()
        (seeds / "banjir2.md").unlink()
        assert _wait(lambda: docs() == {SEED_FILE.name})
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
