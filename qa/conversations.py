"""Saved conversations: a small SQLite store that commits every message as it happens.

The question is written the moment it is asked and the answer is rewritten while it streams, each
in its own transaction, so killing the app mid-answer loses at most the last few tokens; such an
answer stays in status ``streaming`` and reads back as *interrupted*. Sources are stored as JSON
(never pickle). Used from the UI thread and from worker threads, hence one lock per store.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.answer import Source
from qa.atomic import write_atomic
from qa.errors import QAError

DB_NAME = "conversations.sqlite3"
SCHEMA_VERSION = 1

PENDING = "pending"  # question saved, no token yet
STREAMING = "streaming"  # partial answer saved
DONE = "done"
CANCELLED = "cancelled"
ERROR = "error"
UNFINISHED = (PENDING, STREAMING)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]',
    model TEXT NOT NULL DEFAULT '',
    ttft_ms REAL,
    total_ms REAL,
    tokens_per_s REAL,
    refused INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS exchanges_by_conversation ON exchanges(conversation_id, id);
"""


class ConversationStoreError(QAError):
    """The conversations database cannot be opened or written."""


@dataclass(frozen=True)
class Exchange:
    """One question and its (possibly partial) answer."""

    id: int
    conversation_id: int
    question: str
    answer: str
    status: str
    sources: tuple[Source, ...] = ()
    model: str = ""
    ttft_ms: float | None = None
    total_ms: float | None = None
    tokens_per_s: float | None = None
    refused: bool = False
    error: str = ""
    created: float = 0.0

    @property
    def interrupted(self) -> bool:
        """Still unfinished on disk: the app stopped before the answer ended."""
        return self.status in UNFINISHED

    @property
    def complete(self) -> bool:
        """A whole answer, fit to be part of the history of a follow-up question."""
        return self.status == DONE and bool(self.answer)


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created: float
    updated: float
    questions: int = 0


def default_db_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


def conversation_title(question: str, limit: int = 60) -> str:
    """A one-line title from the first question."""
    text = " ".join(question.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class ConversationStore:
    """Conversations and their exchanges in one SQLite file (or ``:memory:``)."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA foreign_keys = ON")
            if str(path) != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise ConversationStoreError(
                f"cannot open the conversations database {path} ({exc}); "
                "check QA_DATA_DIR points at a writable folder"
            ) from exc
        self._lock = threading.Lock()

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this program")
        with self._conn:
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction; errors become a user-facing ``ConversationStoreError``."""
        with self._lock:
            try:
                with self._conn:
                    yield self._conn
            except sqlite3.Error as exc:
                raise ConversationStoreError(
                    f"could not save to the conversations database {self.path} ({exc})"
                ) from exc

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise ConversationStoreError(
                    f"could not read the conversations database {self.path} ({exc})"
                ) from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------ conversations

    def create(self, title: str) -> Conversation:
        now = time.time()
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO conversations(title, created, updated) VALUES (?, ?, ?)",
                (title, now, now),
            )
        return Conversation(int(cur.lastrowid or 0), title, now, now, 0)

    def conversations(self) -> list[Conversation]:
        """All conversations, most recently used first."""
        rows = self._read(
            "SELECT c.id, c.title, c.created, c.updated, COUNT(e.id) AS questions "
            "FROM conversations c LEFT JOIN exchanges e ON e.conversation_id = c.id "
            "GROUP BY c.id ORDER BY c.updated DESC, c.id DESC"
        )
        return [Conversation(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def get(self, conversation_id: int) -> Conversation:
        rows = self._read(
            "SELECT c.id, c.title, c.created, c.updated, COUNT(e.id) FROM conversations c "
            "LEFT JOIN exchanges e ON e.conversation_id = c.id WHERE c.id = ? GROUP BY c.id",
            (conversation_id,),
        )
        if not rows:
            raise ConversationStoreError(f"conversation {conversation_id} does not exist")
        r = rows[0]
        return Conversation(r[0], r[1], r[2], r[3], r[4])

    def delete(self, conversation_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # ------------------------------------------------------------ exchanges

    def exchanges(self, conversation_id: int) -> list[Exchange]:
        rows = self._read(
            "SELECT * FROM exchanges WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return [_exchange(row) for row in rows]

    def exchange(self, exchange_id: int) -> Exchange:
        rows = self._read("SELECT * FROM exchanges WHERE id = ?", (exchange_id,))
        if not rows:
            raise ConversationStoreError(f"message {exchange_id} does not exist")
        return _exchange(rows[0])

    def add_question(self, conversation_id: int, question: str) -> Exchange:
        """Save a question before anything is generated for it."""
        now = time.time()
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO exchanges(conversation_id, question, status, created, updated) "
                "VALUES (?, ?, ?, ?, ?)",
                (conversation_id, question, PENDING, now, now),
            )
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
        return Exchange(
            int(cur.lastrowid or 0), conversation_id, question, "", PENDING, created=now
        )

    def save_partial(
        self, exchange_id: int, answer: str, sources: Iterable[Source] | None = None
    ) -> None:
        """Save the answer so far (and the passages it may cite) while it is still streaming."""
        now = time.time()
        with self._write() as db:
            if sources is None:
                db.execute(
                    "UPDATE exchanges SET answer = ?, status = ?, updated = ? WHERE id = ?",
                    (answer, STREAMING, now, exchange_id),
                )
            else:
                db.execute(
                    "UPDATE exchanges SET answer = ?, status = ?, sources = ?, updated = ? "
                    "WHERE id = ?",
                    (answer, STREAMING, _sources_json(sources), now, exchange_id),
                )

    def finish(
        self,
        exchange_id: int,
        *,
        answer: str,
        status: str,
        sources: Iterable[Source] = (),
        model: str = "",
        ttft_ms: float | None = None,
        total_ms: float | None = None,
        tokens_per_s: float | None = None,
        refused: bool = False,
        error: str = "",
    ) -> Exchange:
        """Record how an answer ended: done, cancelled (partial text kept) or error."""
        if status not in (DONE, CANCELLED, ERROR):
            raise ValueError(f"not a final status: {status}")
        now = time.time()
        with self._write() as db:
            db.execute(
                "UPDATE exchanges SET answer = ?, status = ?, sources = ?, model = ?, ttft_ms = ?, "
                "total_ms = ?, tokens_per_s = ?, refused = ?, error = ?, updated = ? WHERE id = ?",
                (
                    answer,
                    status,
                    _sources_json(sources),
                    model,
                    ttft_ms,
                    total_ms,
                    tokens_per_s,
                    int(refused),
                    error,
                    now,
                    exchange_id,
                ),
            )
        return self.exchange(exchange_id)


def _sources_json(sources: Iterable[Source]) -> str:
    return json.dumps([s.as_json() for s in sources], ensure_ascii=False)


def _exchange(row: sqlite3.Row) -> Exchange:
    try:
        sources = tuple(Source.from_json(d) for d in json.loads(row["sources"] or "[]"))
    except (ValueError, KeyError, TypeError):
        sources = ()  # a damaged sources field must not hide the conversation itself
    return Exchange(
        id=row["id"],
        conversation_id=row["conversation_id"],
        question=row["question"],
        answer=row["answer"],
        status=row["status"],
        sources=sources,
        model=row["model"],
        ttft_ms=row["ttft_ms"],
        total_ms=row["total_ms"],
        tokens_per_s=row["tokens_per_s"],
        refused=bool(row["refused"]),
        error=row["error"],
        created=row["created"],
    )


# ---------------------------------------------------------------- Markdown export


def _quote(text: str, limit: int = 400) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def to_markdown(conversation: Conversation, exchanges: Sequence[Exchange]) -> str:
    """The conversation as a Markdown document: each question, its answer and its sources."""
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.created))
    lines = [f"# {conversation.title}", "", f"_Conversation of {stamp}_", ""]
    for ex in exchanges:
        lines += [f"## {ex.question}", ""]
        if ex.answer:
            lines += [ex.answer, ""]
        if ex.interrupted:
            lines += ["_(interrupted: the app closed before this answer finished)_", ""]
        elif ex.status == CANCELLED:
            lines += ["_(stopped before the end)_", ""]
        elif ex.status == ERROR:
            lines += [f"_(error: {ex.error})_", ""]
        if ex.sources:
            lines += ["**Sources**", ""]
            for s in ex.sources:
                mark = "" if s.cited else " (not cited)"
                lines.append(
                    f"- [{s.n}] *{s.title}* — `{s.doc}`, characters {s.start}–{s.end}, "
                    f"score {s.score:.2f}{mark}"
                )
                lines.append(f"  > {_quote(s.quote or s.text)}")
            lines.append("")
        if ex.model and ex.ttft_ms is not None:
            speed = f", {ex.tokens_per_s:.1f} tokens/s" if ex.tokens_per_s else ""
            lines += [f"_{ex.model}: first token {ex.ttft_ms / 1000:.1f} s{speed}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def export_markdown(store: ConversationStore, conversation_id: int, path: Path) -> Path:
    """Write one conversation to ``path`` as Markdown; returns the path written."""
    conversation = store.get(conversation_id)
    text = to_markdown(conversation, store.exchanges(conversation_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path
