"""Chunk rows read from a chunk file: parsed when first used, the same chunks either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.chunk_rows import ChunkRows, chunk_line, docs_of, group_rows
from qa.chunking import Chunk

ODD = 'a "quoted" \u2028 name.txt'
CHUNKS = [
    Chunk(ODD, "t", 0, 0, 1, "x\u2029y"),
    Chunk("b.txt", "t", 0, 0, 1, "y"),
    Chunk(ODD, "t", 1, 1, 2, "z"),
]


def _file(tmp_path: Path, lines: list[str]) -> Path:
    file = tmp_path / "chunks.jsonl"
    file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return file


def test_rows_read_back_the_chunks_written_and_parse_only_what_is_used(tmp_path: Path) -> None:
    rows = ChunkRows.read(_file(tmp_path, [chunk_line(c) for c in CHUNKS]))
    assert len(rows) == 3
    assert rows[2] == CHUNKS[2] and rows[-1] == CHUNKS[2]
    assert sum(p is not None for p in rows._parsed) == 1  # one row asked for, one parsed
    assert rows[0:2] == CHUNKS[:2]
    assert list(rows) == CHUNKS
    assert rows.line(1) == chunk_line(CHUNKS[1])
    assert rows.text(0) == "x\u2029y"
    with pytest.raises(IndexError):
        rows[3]


def test_articles_come_from_each_lines_start_or_its_json(tmp_path: Path) -> None:
    lines = [
        chunk_line(CHUNKS[0]),
        '{"title": "t", "doc": "b.txt", "ordinal": 0, "start": 0, "end": 1, "text": "y"}',
        chunk_line(CHUNKS[2]),
    ]
    rows = ChunkRows.read(_file(tmp_path, lines))
    assert rows.docs() == [ODD, "b.txt", ODD]
    assert all(p is None for p in rows._parsed)  # no row parsed to find its article
    assert group_rows(rows.docs()) == {ODD: [0, 2], "b.txt": [1]}
    assert docs_of(CHUNKS) == docs_of(rows)
