from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.chunking import ChunkingParams
from qa.corpus import load_articles
from qa.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from qa.lexical import LexicalIndex
from qa.store import load_index, update_index, write_lock
from tests.fakes import FakeEmbedder

PARAMS = ChunkingParams(600, 120)


def _update(seeds: Path, index: Path, embedder=None, params=PARAMS, **kw):
    embedder = embedder or FakeEmbedder()
    return update_index(index, load_articles(seeds), embedder, params, **kw), embedder


def test_build_then_load_round_trip(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    report, embedder = _update(seeds, index_dir)
    assert report.added == ("000_3f6abac00ed53627.txt",) and report.written
    index = load_index(index_dir)
    assert len(index.chunks) == report.chunks == index.dense.ntotal
    article = (seeds / "000_3f6abac00ed53627.txt").read_text(encoding="utf-8")
    for chunk in index.chunks:
        assert article[chunk.start : chunk.end] == chunk.text
    vectors = embedder.embed([c.text for c in index.chunks])
    assert np.allclose(index.vectors(), vectors, atol=1e-6)
    # the lexical side finds the paragraph about the year 2000
    scores = index.lexical.scores("terakhir kali mengunjungi tahun 2000")
    assert "2000" in index.chunks[int(np.argmax(scores))].text


def test_incremental_add_change_delete_and_keep(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    _update(seeds, index_dir)
    (seeds / "baru.txt").write_text("Berita Baru\n\nGempa kecil terjadi di Bandung pagi ini.")
    report, embedder = _update(seeds, index_dir)
    assert report.added == ("baru.txt",) and report.kept == ("000_3f6abac00ed53627.txt",)
    assert sum(embedder.calls) == 1, "only the new article is embedded"

    (seeds / "baru.txt").write_text("Berita Baru\n\nBanjir besar melanda Medan kemarin sore.")
    report, embedder = _update(seeds, index_dir)
    assert report.updated == ("baru.txt",) and sum(embedder.calls) == 1
    index = load_index(index_dir)
    texts = " ".join(c.text for c in index.chunks if c.doc == "baru.txt")
    assert "Medan" in texts and "Bandung" not in texts

    (seeds / "baru.txt").unlink()
    report, embedder = _update(seeds, index_dir)
    assert report.removed == ("baru.txt",) and embedder.calls == []
    index = load_index(index_dir)
    assert {c.doc for c in index.chunks} == {"000_3f6abac00ed53627.txt"}
    assert index.dense.ntotal == len(index.chunks)

    report, _ = _update(seeds, index_dir)
    assert not report.written and "up to date" in report.summary()


def test_kept_vectors_stay_aligned_with_their_chunks(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    (seeds / "aaa.txt").write_text("Awal\n\nArtikel pertama tentang kopi Aceh.")
    _update(seeds, index_dir)
    (seeds / "aaa.txt").write_text("Awal\n\nArtikel pertama tentang teh Jawa yang harum.")
    _update(seeds, index_dir)
    index = load_index(index_dir)
    expected = FakeEmbedder().embed([c.text for c in index.chunks])
    assert np.allclose(index.vectors(), expected, atol=1e-6)


def test_embedder_or_chunking_change_forces_a_rebuild(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    _update(seeds, index_dir)
    report, embedder = _update(seeds, index_dir, FakeEmbedder(dim=32, name="other"))
    assert "embedder changed" in report.rebuilt_because and sum(embedder.calls) == report.chunks
    assert load_index(index_dir).manifest.embedder == "other"
    report, _ = _update(
        seeds, index_dir, FakeEmbedder(dim=32, name="other"), ChunkingParams(300, 60)
    )
    assert "chunking" in report.rebuilt_because
    report, embedder = _update(
        seeds, index_dir, FakeEmbedder(dim=32, name="other"), ChunkingParams(300, 60), rebuild=True
    )
    assert report.written and sum(embedder.calls) == report.chunks


def test_a_crash_mid_write_leaves_the_old_index_intact(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "idx"
    _update(seeds, index_dir)
    before = load_index(index_dir)
    (seeds / "baru.txt").write_text("Berita Baru\n\nGempa kecil terjadi di Bandung pagi ini.")

    import qa.store

    def boom(*_a, **_k):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while files were being written

    monkeypatch.setattr(qa.store.LexicalIndex, "from_token_ids", boom)
    with pytest.raises(KeyboardInterrupt):
        _update(seeds, index_dir)
    after = load_index(index_dir)
    assert after.version == before.version and len(after.chunks) == len(before.chunks)
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]
    monkeypatch.undo()
    report, _ = _update(seeds, index_dir)
    assert report.added == ("baru.txt",)


def test_a_leftover_partial_version_is_ignored_and_cleaned(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    _update(seeds, index_dir)
    partial = index_dir / ".tmp-v-20240101T000000-123-456"  # a write killed half-way
    partial.mkdir()
    (partial / ".qa-version").write_text("v-20240101T000000-123-456")
    (partial / "dense.faiss").write_bytes(b"half")
    killed_early = index_dir / ".tmp-v-20240101T000000-123-457"  # killed before its marker
    killed_early.mkdir()
    lookalike = index_dir / ".tmp-v-crashed"  # not named or marked as qa's: not qa's to delete
    lookalike.mkdir()
    (lookalike / "dense.faiss").write_bytes(b"someone else's")
    assert load_index(index_dir).chunks
    (seeds / "baru.txt").write_text("Berita\n\nIsi.")
    _update(seeds, index_dir)
    assert not partial.exists() and not killed_early.exists()
    assert (lookalike / "dense.faiss").read_bytes() == b"someone else's"


def test_missing_index() -> None:
    with pytest.raises(IndexMissingError, match="qa index"):
        load_index(Path("/nonexistent/indexes"))


@pytest.mark.parametrize(
    "victim", ["dense.faiss", "chunks.jsonl", "manifest.json", "docs.jsonl", "lexical"]
)
def test_corrupt_or_truncated_files_are_reported(seeds: Path, tmp_path: Path, victim: str) -> None:
    index_dir = tmp_path / "idx"
    report, _ = _update(seeds, index_dir)
    target = report.path / victim
    if target.is_dir():
        target = next(p for p in target.iterdir() if p.suffix == ".npy")
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        load_index(index_dir)
    # updating replaces the damaged index with a good one
    warnings: list[str] = []
    _update(seeds, index_dir, warn=warnings.append)
    assert warnings and load_index(index_dir).chunks


def test_no_pickle_in_the_index(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    report, _ = _update(seeds, index_dir)
    for f in report.path.rglob("*"):
        if f.is_file():
            assert not f.read_bytes().startswith(b"\x80"), f"{f.name} looks like a pickle"
            if f.suffix == ".npy":
                np.load(f, allow_pickle=False)
    json.loads((report.path / "manifest.json").read_text())


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    with write_lock(tmp_path), pytest.raises(IndexBusyError), write_lock(tmp_path):
        pass


def test_the_lexical_index_tells_what_share_of_chunks_holds_a_word() -> None:
    lexical = LexicalIndex.build(
        ["Presiden Indonesia tiba.", "Banjir di Jakarta, Indonesia.", "Hujan turun.", "Panas."]
    )
    assert lexical.share("Indonesia") == 0.5
    assert lexical.share("jakarta") == 0.25
    assert lexical.share("Thailand") == 0.0  # a word the index never saw
    assert lexical.share("yang") == 0.0  # a stop word is not indexed


def test_a_short_form_written_in_capitals_is_searched_though_it_spells_a_stop_word() -> None:
    lexical = LexicalIndex.build(
        ["Presiden Mesir Hosni Mubarak tiba.", "Presiden AS George W Bush tiba.", "Hujan turun."]
    )
    scores = lexical.scores("Siapa Presiden AS?")
    assert int(np.argmax(scores)) == 1 and scores[1] > scores[0]
    # the English word stays a stop word
    assert lexical.scores("as").max() == 0.0


def test_an_index_from_an_older_tokenizer_gets_its_lexical_side_rebuilt(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "idx"
    _update(seeds, index_dir)
    built: list[int] = []
    build = LexicalIndex.build

    def spy(texts: list[str]) -> LexicalIndex:
        built.append(len(texts))
        return build(texts)

    monkeypatch.setattr(LexicalIndex, "build", staticmethod(spy))
    index = load_index(index_dir)
    assert built == []  # written by this tokenizer: loaded as it is
    monkeypatch.setattr("qa.store.TOKENIZER_VERSION", index.lexical.tokenizer + 1)
    index = load_index(index_dir)
    assert built == [len(index.chunks)]
    assert "AS" in index.chunks[int(np.argmax(index.lexical.scores("AS")))].text


def test_article_records_live_beside_the_manifest_and_an_older_layout_still_loads(
    seeds: Path, tmp_path: Path
) -> None:
    from qa.doc_records import DOCS_FILE, DocRecords

    index_dir = tmp_path / "idx"
    report, _ = _update(seeds, index_dir)
    head = json.loads((report.path / "manifest.json").read_text())
    assert "docs" not in head and DOCS_FILE in head["files"]
    index = load_index(index_dir)
    assert isinstance(index.manifest.docs, DocRecords)
    [(doc, record)] = index.manifest.docs.items()
    assert doc == "000_3f6abac00ed53627.txt" and record["chunks"] == len(index.chunks)
    # Written before docs.jsonl: the records inside manifest.json (no hash to fix: the
    # manifest is not in its own file list).
    (report.path / DOCS_FILE).unlink()
    head["docs"] = {doc: record}
    del head["files"][DOCS_FILE]
    (report.path / "manifest.json").write_text(json.dumps(head))
    old = load_index(index_dir)
    assert dict(old.manifest.docs) == {doc: record}
    again, _ = _update(seeds, index_dir)
    assert not again.written and again.kept == (doc,)


def test_an_update_copies_unchanged_article_records_as_they_were(
    seeds: Path, tmp_path: Path
) -> None:
    from qa.doc_records import DOCS_FILE

    index_dir = tmp_path / "idx"
    first, _ = _update(seeds, index_dir)
    before = (first.path / DOCS_FILE).read_text(encoding="utf-8").splitlines()
    (seeds / "baru.txt").write_text("Berita baru\n\nBanjir melanda Medan kemarin.\n")
    second, _ = _update(seeds, index_dir)
    assert second.added == ("baru.txt",)
    after = (second.path / DOCS_FILE).read_text(encoding="utf-8").splitlines()
    assert after[0] == before[0] and '"doc": "baru.txt"' in after[1]
    assert dict(load_index(index_dir).manifest.docs)["baru.txt"]["chunks"] == 1
