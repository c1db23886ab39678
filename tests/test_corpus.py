from __future__ import annotations

from pathlib import Path

import pytest

from qa.corpus import load_articles
from qa.errors import CorpusError


def test_titles_ids_and_hashes(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.md").write_text("\n\n# Judul Dua\n\nIsi.", encoding="utf-8")
    (tmp_path / "sub" / "a.txt").write_text("Judul Satu\r\nIsi artikel.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("tersembunyi", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("x,y", encoding="utf-8")
    articles = load_articles(tmp_path)
    assert [a.doc for a in articles] == ["b.md", "sub/a.txt"]
    assert [a.title for a in articles] == ["Judul Dua", "Judul Satu"]
    assert "\r" not in articles[1].text
    assert len({a.sha256 for a in articles}) == 2


def test_binary_and_non_utf8_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Artikel baik.", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.txt").write_bytes("café".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    warnings: list[str] = []
    articles = load_articles(tmp_path, warnings.append)
    assert [a.doc for a in articles] == ["ok.txt"]
    assert any("bin.txt" in w and "binary" in w for w in warnings)
    assert any("latin.txt" in w and "UTF-8" in w for w in warnings)
    assert any("empty.txt" in w for w in warnings)


def test_missing_or_empty_seeds_directory(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_articles(tmp_path / "nope")
    with pytest.raises(CorpusError, match="no readable articles"):
        load_articles(tmp_path)
