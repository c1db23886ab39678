"""What ``qa search`` shows: the passages retrieval found, with their scores, without a model.

Seeing what retrieval found explains an answer (or a refusal) and finds an article by what it
says. Each row carries the passage's article, date and offsets, its three scores (cosine, BM25,
fused) and where the query's words occur in it (matched as BM25 matches them: stemmed,
case-folded, stop words left out), so the terminal can highlight them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.lexical import tokenize
from qa.untrusted import for_terminal

if TYPE_CHECKING:
    from qa.engine import Engine
    from qa.scope import Scope

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class SearchRow:
    """One passage found; ``text == article[start:end]``; ``marks`` are (start, end) offsets
    into ``text`` of the words the query matched."""

    rank: int
    doc: str
    title: str
    date: str
    source: str
    start: int
    end: int
    text: str
    dense: float
    lexical: float
    fused: float
    marks: tuple[tuple[int, int], ...]

    def as_json(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "doc": self.doc,
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "scores": {
                "dense": round(self.dense, 4),
                "lexical": round(self.lexical, 4),
                "fused": round(self.fused, 4),
            },
            "marks": [list(m) for m in self.marks],
        }


def matching_words(text: str, query: str) -> tuple[tuple[int, int], ...]:
    """Offsets of the words of ``text`` that BM25 matched to a word of ``query``."""
    wanted = set(tokenize(query, short_forms=True))
    if not wanted:
        return ()
    return tuple(
        (m.start(), m.end())
        for m in _WORD.finditer(text)
        if wanted.intersection(tokenize(m.group(0), short_forms=True))
    )


def search_rows(
    engine: Engine, query: str, k: int | None = None, scope: Scope | None = None
) -> list[SearchRow]:
    """The top passages for ``query`` within ``scope`` (``Engine.search``: no model)."""
    rows = []
    for rank, hit in enumerate(engine.search(query, k, scope), 1):
        chunk, meta = hit.chunk, engine.article_meta(hit.chunk.doc)
        rows.append(
            SearchRow(
                rank,
                chunk.doc,
                chunk.title,
                meta.date,
                meta.source,
                chunk.start,
                chunk.end,
                chunk.text,
                hit.dense,
                hit.lexical,
                hit.score,
                matching_words(chunk.text, query),
            )
        )
    return rows


def highlighted(text: str, marks: Sequence[tuple[int, int]], style: str = "bold yellow") -> str:
    """``text`` as Rich markup on one line: control characters shown as symbols
    (``for_terminal``) and markup characters escaped before the matched words are styled."""
    from rich.markup import escape

    flat = re.sub(r"\s", " ", for_terminal(text))  # one character each: offsets still hold
    out, pos = [], 0
    for start, end in marks:
        out.append(escape(flat[pos:start]))
        out.append(f"[{style}]{escape(flat[start:end])}[/{style}]")
        pos = end
    out.append(escape(flat[pos:]))
    return re.sub(r" {2,}", " ", "".join(out)).strip()  # a style name holds one space at most


def row_markup(row: SearchRow) -> list[str]:
    """A row as a few lines of Rich markup: where it is, its scores, then its text."""
    from rich.markup import escape

    where = " · ".join(
        escape(for_terminal(x, one_line=True))
        for x in (row.doc, row.title, row.date, row.source)
        if x
    )
    return [
        f"[bold]{row.rank}.[/bold] {where} · chars {row.start}-{row.end}",
        f"   fused {row.fused:.3f} · dense {row.dense:.3f} · lexical {row.lexical:.2f}",
        f"   {highlighted(row.text, row.marks)}",
    ]
