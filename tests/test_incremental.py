"""Incremental updates cost what changed: only new chunks are embedded *and* tokenised, and the
result is the index a build from scratch would give (issue 32, item 4)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from qa import store
from qa.chunk_tokens import TokenTable
from qa.chunking import ChunkingParams
from qa.corpus import load_articles
from qa.store import load_index, update_index
from tests.conftest import SEED_FILE
from tests.fakes import FakeEmbedder

PARAMS = ChunkingParams(600, 120)
QUERIES = ["Putin Pyongyang", "Kim Jong Un karpet merah", "sanksi internasional", "banjir Medan"]


def write_archive(seeds: Path, n: int) -> None:
    paragraphs = [p for p in SEED_FILE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    seeds.mkdir(parents=True, exist_ok=True)
    rng = random.Random(32)
    for i in range(n):
        body = "\n\n".join(rng.sample(paragraphs, 3))
        (seeds / f"b{i:03d}.txt").write_text(f"Berita {i}\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every chunk text the store tokenises."""
    seen: list[str] = []
    real = store.chunk_tokens

    def spy(text: str) -> list[str]:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(store, "chunk_tokens", spy)
    return seen


def assert_same_as_from_scratch(seeds: Path, index_dir: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    update_index(scratch, load_articles(seeds), FakeEmbedder(), PARAMS)
    a, b = load_index(index_dir), load_index(scratch)
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert np.allclose(a.vectors(), b.vectors(), atol=1e-6)
    for query in QUERIES:
        assert np.allclose(a.lexical.scores(query), b.lexical.scores(query), atol=1e-5), query
    table = TokenTable.load(a.path / "lexical")
    assert table is not None and len(table) == len(a.chunks)


def test_adding_one_article_tokenises_and_embeds_only_its_chunks(tmp_path: Path, counted) -> None:
    seeds, index_dir = tmp_path / "seeds", tmp_path / "idx"
    write_archive(seeds, 30)
    update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    counted.clear()
    (seeds / "zz.txt").write_text("Berita baru\n\nBanjir besar melanda Medan kemarin sore.\n")
    embedder = FakeEmbedder()
    report = update_index(index_dir, load_articles(seeds), embedder, PARAMS)
    assert report.added == ("zz.txt",) and sum(embedder.calls) == report.embedded == 1
    assert counted == ["Berita baru\n\nBanjir besar melanda Medan kemarin sore."]
    assert_same_as_from_scratch(seeds, index_dir, tmp_path)


def test_changing_and_removing_articles_gives_the_from_scratch_index(tmp_path: Path, counted):
    seeds, index_dir = tmp_path / "seeds", tmp_path / "idx"
    write_archive(seeds, 30)
    update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    counted.clear()
    changed = seeds / "b007.txt"
    changed.write_text(changed.read_text() + "\nBanjir besar melanda Medan kemarin sore.\n")
    (seeds / "b011.txt").unlink()
    report = update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    assert report.updated == ("b007.txt",) and report.removed == ("b011.txt",)
    assert len(counted) == report.embedded < 10
    assert_same_as_from_scratch(seeds, index_dir, tmp_path)


def test_a_version_without_a_token_table_is_tokenised_whole(
    tmp_path: Path, counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index written before the table existed (or by another tokenizer) still updates."""
    seeds, index_dir = tmp_path / "seeds", tmp_path / "idx"
    write_archive(seeds, 10)
    update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    monkeypatch.setattr(TokenTable, "load", classmethod(lambda cls, d: None))
    counted.clear()
    (seeds / "zz.txt").write_text("Berita baru\n\nBanjir besar melanda Medan kemarin sore.\n")
    report = update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    assert len(counted) == report.chunks
    monkeypatch.undo()
    assert_same_as_from_scratch(seeds, index_dir, tmp_path)


def test_the_token_table_round_trips_and_rejects_a_damaged_copy(tmp_path: Path) -> None:
    rows = [["putin", "kunjung"], ["_empty_"], ["kim", "putin", "putin"]]
    table = TokenTable.from_rows(rows)
    table.save(tmp_path)
    loaded = TokenTable.load(tmp_path)
    assert loaded is not None and [loaded.row(i) for i in range(3)] == rows
    np.save(tmp_path / "tokens.ids.npy", np.array([0, 99], np.int32), allow_pickle=False)
    assert TokenTable.load(tmp_path) is None


def test_unchanged_files_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100,000 articles reading and hashing every file costs more than the update itself: a
    file whose size, mtime, ctime and inode match the index's record is trusted unread."""
    from qa import corpus
    from qa.store import known_files

    seeds, index_dir = tmp_path / "seeds", tmp_path / "idx"
    write_archive(seeds, 12)
    update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    read: list[str] = []
    real = corpus.read_article
    monkeypatch.setattr(corpus, "read_article", lambda p, d, *a: read.append(d) or real(p, d, *a))
    changed = seeds / "b003.txt"
    changed.write_text(changed.read_text() + "\nBanjir besar melanda Medan kemarin sore.\n")
    articles = load_articles(seeds, known=known_files(index_dir))
    assert read == ["b003.txt"]
    assert sum(a.unread for a in articles) == 11
    before = load_index(index_dir).manifest.docs
    report = update_index(index_dir, articles, FakeEmbedder(), PARAMS)
    assert report.updated == ("b003.txt",) and len(report.kept) == 11
    assert_same_as_from_scratch(seeds, index_dir, tmp_path)
    after = load_index(index_dir).manifest.docs
    assert {d: e for d, e in after.items() if d != "b003.txt"} == {
        d: e for d, e in before.items() if d != "b003.txt"
    }, "an unread article keeps its record as it was"
    # A rebuild (here: new chunking) reads the unread ones when it must chunk them.
    articles = load_articles(seeds, known=known_files(index_dir))
    report = update_index(index_dir, articles, FakeEmbedder(), ChunkingParams(400, 80))
    assert report.rebuilt_because and len(report.added) == 12
    assert all(c.text for c in load_index(index_dir).chunks)


def test_merging_keeps_old_rows_as_ids_and_drops_words_no_row_uses() -> None:
    old = TokenTable.from_rows([["putin", "kunjung"], ["hapus", "saja"], ["kim", "putin"]])
    merged = TokenTable.merge(old, [2, ["banjir", "putin"], 0])
    assert [merged.row(i) for i in range(3)] == [
        ["kim", "putin"],
        ["banjir", "putin"],
        ["putin", "kunjung"],
    ]
    assert set(merged.vocab) == {"putin", "kunjung", "kim", "banjir"}
    assert TokenTable.merge(None, [["a"], []]).row(1) == []


def test_a_kept_chunk_holding_a_line_separator_survives_an_update(tmp_path: Path) -> None:
    seeds, index_dir = tmp_path / "seeds", tmp_path / "idx"
    write_archive(seeds, 3)
    (seeds / "sep.txt").write_text("Judul\n\nSatu\u2028dua\u2029tiga\x85empat.\n", encoding="utf-8")
    update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    (seeds / "zz.txt").write_text("Berita baru\n\nBanjir besar melanda Medan kemarin sore.\n")
    update_index(index_dir, load_articles(seeds), FakeEmbedder(), PARAMS)
    [chunk] = [c for c in load_index(index_dir).chunks if c.doc == "sep.txt"]
    assert chunk.text.endswith("Satu\u2028dua\u2029tiga\x85empat.")
