"""An index's chunks as ``chunks.jsonl`` holds them: one JSON line per row, parsed when first used.

A question reads a handful of chunks, but parsing all 100,000 lines of an archive cost ~1.1 s of
every cold ``qa ask`` (cProfile, 2026-12-06). Keeping the lines and parsing a row on first access
costs the split only (~0.1 s); an update copies kept rows' lines without parsing them at all.
The file was verified against the manifest's hash before it is read, so a line's parse cannot
fail on what another program wrote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import overload

from qa.chunking import Chunk

DOC_KEY = '{"doc": "'  # how every line starts: ``chunk_line`` writes "doc" first


def chunk_line(chunk: Chunk) -> str:
    """The JSON line of one chunk (its fields in declaration order, "doc" first)."""
    return json.dumps(chunk.__dict__, ensure_ascii=False)


def doc_of_line(line: str) -> str:
    """The article of one chunk line, read from its start (json's own string scanner)."""
    if line.startswith(DOC_KEY):
        return str(scanstring(line, len(DOC_KEY))[0])
    return str(json.loads(line)["doc"])


class ChunkRows(Sequence[Chunk]):
    """Chunk ``i`` is line ``i``, parsed on first access and then kept."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._parsed: list[Chunk | None] = [None] * len(lines)

    @classmethod
    def read(cls, file: Path) -> ChunkRows:
        """The rows of a chunk file. Split on "\\n" only: JSON leaves U+2028 and its kind
        unescaped, which ``splitlines`` would cut at."""
        return cls(file.read_text(encoding="utf-8").split("\n")[:-1])

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...

    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...

    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self._row(j) for j in range(*i.indices(len(self._lines)))]
        if i < 0:
            i += len(self._lines)
        if not 0 <= i < len(self._lines):
            raise IndexError(i)
        return self._row(i)

    def __iter__(self) -> Iterator[Chunk]:
        return (self._row(i) for i in range(len(self._lines)))

    def _row(self, i: int) -> Chunk:
        chunk = self._parsed[i]
        if chunk is None:
            chunk = self._parsed[i] = Chunk(**json.loads(self._lines[i]))
        return chunk

    def line(self, i: int) -> str:
        """Row ``i``'s line as written, to copy into a new version unparsed."""
        return self._lines[i]

    def text(self, i: int) -> str:
        """Row ``i``'s text; an update reads kept rows once, so it is not kept parsed."""
        chunk = self._parsed[i]
        return chunk.text if chunk is not None else str(json.loads(self._lines[i])["text"])

    def docs(self) -> list[str]:
        """Each row's article, without parsing the rows."""
        return [doc_of_line(line) for line in self._lines]


def group_rows(docs: Sequence[str]) -> dict[str, list[int]]:
    """Each article's rows, in order, from each row's article."""
    rows: dict[str, list[int]] = {}
    for i, doc in enumerate(docs):
        rows.setdefault(doc, []).append(i)
    return rows


def docs_of(chunks: Sequence[Chunk]) -> list[str]:
    """Each chunk's article; for ``ChunkRows`` without parsing them."""
    if isinstance(chunks, ChunkRows):
        return chunks.docs()
    return [c.doc for c in chunks]
