"""Pure helpers of the UI: citation links while streaming, timings, errors, passage lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.engine import Source
from qa.errors import IndexMissingError, ModelError
from tests.conftest import SEED_FILE
from tui.passage import locate
from tui.text import (
    CitationLinker,
    citation_of,
    error_hint,
    error_message,
    error_title,
    format_timings,
    linkify,
)


def test_citations_become_links_the_ui_can_follow() -> None:
    assert linkify("Tahun 2000 [2].") == "Tahun 2000 [\\[2\\]](cite:2)."
    assert linkify("A [1, 3]") == "A [\\[1\\]](cite:1)[\\[3\\]](cite:3)"
    assert linkify("a [x] b") == "a [x] b"
    assert citation_of("cite:12") == 12
    assert citation_of("https://example.com") is None


@pytest.mark.parametrize("cut", range(1, 22))
def test_a_citation_split_across_tokens_is_linked_once_whole(cut: int) -> None:
    text = "Tahun 2000 [2] dan [3]."
    linker = CitationLinker()
    out = linker.feed(text[:cut]) + linker.feed(text[cut:]) + linker.flush()
    assert out == linkify(text)


def test_an_unclosed_bracket_is_released_at_the_end() -> None:
    linker = CitationLinker()
    assert linker.feed("harga [kira") == "harga "
    assert linker.feed("-kira") == ""
    assert linker.flush() == "[kira-kira"


def test_timings_and_error_texts() -> None:
    assert format_timings(650.0, 19.26) == "first token 0.7 s · 19.3 tok/s"
    assert format_timings(650.0, 0.0) == "first token 0.7 s"
    assert format_timings(None, None) == ""
    missing = IndexMissingError("no index in indexes; run `qa index` to build it")
    assert error_title(missing) == "No index yet"
    assert "Ctrl+R" in error_hint(missing)
    assert "--model fast" in error_hint(ModelError("x"))
    assert error_message(RuntimeError("boom")) == "RuntimeError: boom"
    assert "bug" in error_hint(RuntimeError("boom"))


def _source(text: str, start: int, doc: str = SEED_FILE.name) -> Source:
    return Source(1, doc, "Korea Utara", text, start, start + len(text), 0.5, True)


def test_passage_is_found_in_place(seeds: Path) -> None:
    article = SEED_FILE.read_text(encoding="utf-8")
    start = article.index("Putin terakhir kali")
    text = article[start : start + 58]
    view = locate(seeds, _source(text, start))
    assert (view.before, view.passage, view.after) == (
        article[:start],
        text,
        article[start + 58 :],
    )
    assert view.note == "" and view.title == "Korea Utara menggelar karpet merah untuk Putin"
    assert view.about.endswith("· Dawud")  # the file's date, then the author line


def test_moved_passage_is_found_again_and_a_changed_one_is_shown_alone(seeds: Path) -> None:
    article = SEED_FILE.read_text(encoding="utf-8")
    start = article.index("Putin terakhir kali")
    text = article[start : start + 58]
    (seeds / SEED_FILE.name).write_text("Baris baru.\n" + article, encoding="utf-8")
    moved = locate(seeds, _source(text, start))
    assert moved.passage == text and moved.before.startswith("Baris baru.") and not moved.note
    (seeds / SEED_FILE.name).write_text("Semua berubah.", encoding="utf-8")
    changed = locate(seeds, _source(text, start))
    assert changed.passage == text and changed.before == "" and "changed" in changed.note


def test_missing_or_escaping_article_falls_back_to_the_passage(seeds: Path) -> None:
    gone = locate(seeds, _source("teks", 0, doc="hilang.txt"))
    assert gone.passage == "teks" and "no longer" in gone.note
    outside = locate(seeds, _source("teks", 0, doc="../../etc/passwd"))
    assert outside.passage == "teks" and outside.note
