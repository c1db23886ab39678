"""Which articles a question or a search may use: some ids, a date range, a source.

A news archive is asked about one story, last week's news or one outlet's reporting; searching
everything then lets another article answer. A ``Scope`` is checked once, when it is made
(``Scope.parse``: dates readable, ``since`` not after ``until``), and against the index
(``resolve``: every ``--doc`` indexed, at least one article left), so a mistake is one line before
any work, the same for the CLI, a batch line and the UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.article_meta import ArticleMeta, iso_date, meta_of
from qa.chunk_rows import docs_of, group_rows
from qa.errors import ScopeError
from qa.untrusted import for_terminal

if TYPE_CHECKING:
    from qa.chunking import Chunk
    from qa.prompting import Passage
    from qa.translation import Reading

SCOPE_KEYS = ("doc", "since", "until", "source")  # also the keys a batch line may carry


@dataclass(frozen=True)
class Scope:
    """Articles ``docs`` (any of them; empty: all), dated ``since``..``until`` (ISO, inclusive;
    "" for open), from ``source`` (case-insensitive; "": any)."""

    docs: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    source: str = ""

    @classmethod
    def parse(
        cls,
        docs: Iterable[str] = (),
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
    ) -> Scope:
        """A scope from what a user typed; raises ``ScopeError`` naming the bad value."""
        wanted = tuple(dict.fromkeys(d.strip() for d in docs if d and d.strip()))
        return cls(
            wanted,
            _date("--since", since),
            _date("--until", until),
            " ".join((source or "").split()),
        ).checked()

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Scope:
        """The scope a batch line carries (``doc``: a string or a list; ``since``, ``until``,
        ``source``: strings)."""
        docs = item.get("doc", ())
        if isinstance(docs, str):
            docs = [docs]
        if not isinstance(docs, (list, tuple)) or not all(isinstance(d, str) for d in docs):
            raise ScopeError("'doc' must be an article id or a list of them")
        for key in ("since", "until", "source"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ScopeError(f"'{key}' must be a string")
        return cls.parse(docs, item.get("since"), item.get("until"), item.get("source"))

    def checked(self) -> Scope:
        if self.since and self.until and self.since > self.until:
            raise ScopeError(
                f"--since {self.since} is after --until {self.until}; swap them or drop one"
            )
        return self

    @property
    def everything(self) -> bool:
        return not (self.docs or self.since or self.until or self.source)

    def matches(self, doc: str, meta: ArticleMeta) -> bool:
        """Whether an article is in scope; an undated article is outside any date range."""
        if self.docs and doc not in self.docs:
            return False
        if (self.since or self.until) and not meta.date:
            return False
        if self.since and meta.date < self.since:
            return False
        if self.until and meta.date > self.until:
            return False
        return not self.source or meta.source.casefold() == self.source.casefold()

    def resolve(self, manifest_docs: Mapping[str, Mapping[str, Any]]) -> list[str]:
        """The indexed articles in scope, in index order; ``ScopeError`` for an id the index
        lacks or a scope no article matches."""
        docs = self._known_docs(manifest_docs)
        scope = Scope(docs, self.since, self.until, self.source)
        found = [d for d in manifest_docs if scope.matches(d, meta_of(dict(manifest_docs[d])))]
        if not found:
            raise ScopeError(
                f"no indexed article matches {self.describe()}; `qa articles` lists them "
                "with their dates and sources"
            )
        return found

    def _known_docs(self, manifest_docs: Mapping[str, Any]) -> tuple[str, ...]:
        """``docs`` as index ids: an exact id, or a file name without its extension when only
        one article has it."""
        known = []
        for doc in self.docs:
            if doc in manifest_docs:
                known.append(doc)
                continue
            stems = [d for d in manifest_docs if d.rsplit(".", 1)[0] == doc]
            if len(stems) != 1:
                raise ScopeError(
                    f"no article {for_terminal(doc, one_line=True)!r} in the index; "
                    "`qa articles` lists the ids"
                )
            known.append(stems[0])
        return tuple(known)

    def describe(self) -> str:
        """The scope in a few words (the status bar, messages); "all articles" when empty."""
        parts = []
        if self.docs:
            shown = ", ".join(for_terminal(d, one_line=True) for d in self.docs[:3])
            more = f" +{len(self.docs) - 3}" if len(self.docs) > 3 else ""
            parts.append(f"doc {shown}{more}")
        if self.since:
            parts.append(f"since {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        if self.source:
            parts.append(f"source {for_terminal(self.source, one_line=True)}")
        return " · ".join(parts) or "all articles"

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {}
        if self.docs:
            data["doc"] = list(self.docs)
        for key in ("since", "until", "source"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class ScopeRows:
    """A resolved scope: its articles (index order) and their chunk rows (ascending)."""

    docs: tuple[str, ...]
    rows: np.ndarray

    @classmethod
    def of(cls, docs: Sequence[str], doc_rows: Mapping[str, np.ndarray]) -> ScopeRows:
        parts = [doc_rows[d] for d in docs if d in doc_rows]
        rows = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        return cls(tuple(docs), rows.astype(np.int64))


def rows_by_doc(chunks: Sequence[Chunk]) -> dict[str, np.ndarray]:
    """Each article's chunk rows: made once per loaded index, so a scope costs its own size."""
    found = group_rows(docs_of(chunks))  # read from rows' lines, none parsed
    return {doc: np.asarray(rows, dtype=np.int64) for doc, rows in found.items()}


def scope_readings(
    readings: Sequence[Reading], passages: Sequence[Passage] | None
) -> list[Reading] | None:
    """The English reading of a scope's passages (the whole corpus's, renumbered as the scope's
    prompt numbers them), or None unless every passage has one."""
    if passages is None:
        return None
    by_span = {(r.passage.doc, r.passage.start, r.passage.end): r for r in readings}
    found = []
    for p in passages:
        reading = by_span.get((p.doc, p.start, p.end))
        if reading is None:
            return None
        found.append(replace(reading, passage=replace(reading.passage, n=p.n)))
    return found


def _date(flag: str, text: str | None) -> str:
    if text is None or not text.strip():
        return ""
    found = iso_date(text)
    if not found:
        raise ScopeError(
            f"{flag} {for_terminal(text.strip(), one_line=True)!r} is not a date; "
            "write it as YYYY-MM-DD (or '19 Juni 2024')"
        )
    return found
