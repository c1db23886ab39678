"""The index's record of each article (hash, title, stamp, date, source), one JSON line each in a
version's ``docs.jsonl``, parsed when first used.

Inside ``manifest.json`` these records were 33 MB at 100,000 articles, parsed whole (~0.4 s) by
every cold ``qa ask``, which then shows the date and source of the few articles it cites. Here a
question parses those lines only; an article's name is read from its line's start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from qa.chunk_rows import doc_of_line

DOCS_FILE = "docs.jsonl"
Record = dict[str, Any]


def doc_line(doc: str, record: Mapping[str, Any]) -> str:
    """One article's line: its name first (as ``doc_of_line`` reads it), then its record."""
    return json.dumps({"doc": doc, **record}, ensure_ascii=False)


class DocRecords(Mapping[str, Record]):
    """Article name -> its record, in index order; a record is parsed on first access and kept.
    Callers must not change a record (it is shared)."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._at = {doc_of_line(line): i for i, line in enumerate(lines)}
        self._parsed: dict[str, Record] = {}

    @classmethod
    def read(cls, file: Path) -> DocRecords:
        """Split on "\\n" only: JSON leaves U+2028 and its kind unescaped."""
        return cls(file.read_text(encoding="utf-8").split("\n")[:-1])

    def __getitem__(self, doc: str) -> Record:
        record = self._parsed.get(doc)
        if record is None:
            raw = json.loads(self._lines[self._at[doc]])
            raw.pop("doc")
            record = self._parsed[doc] = raw
        return record

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __contains__(self, doc: object) -> bool:
        return doc in self._at

    def line(self, doc: str) -> str:
        """``doc``'s line as written, for an update to copy unparsed and undumped."""
        return self._lines[self._at[doc]]


def write_records(
    file: Path, records: Mapping[str, Mapping[str, Any]], lines: Mapping[str, str]
) -> None:
    """One line per article, in ``records``' order; an article in ``lines`` gets that line as
    it is (an update's unchanged records: at 100,000 articles dumping each again costs ~0.5 s)."""
    with file.open("w", encoding="utf-8") as fh:
        for doc, record in records.items():
            line = lines.get(doc)
            fh.write((line if line is not None else doc_line(doc, record)) + "\n")
