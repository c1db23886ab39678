"""One answer's life in a worker thread: ask the engine, stream, save, report to the view.

This runs off the UI thread, so it never touches widgets: it posts messages to its ``AnswerView``
(``post_message`` is thread-safe) in batches of about 50 ms, so a fast model cannot flood the UI,
and it saves the partial answer about twice a second so a killed app loses almost nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from qa.answer import Answer, CheckFiring, Replaced, Source
from qa.conversations import (
    CANCELLED,
    DONE,
    ERROR,
    ConversationStore,
    ConversationStoreError,
    Exchange,
)
from qa.engine import Engine
from qa.errors import QAError
from qa.prompting import Passage, Turn
from qa.scope import Scope
from tui.text import error_hint, error_message, error_title
from tui.widgets import AnswerView

log = logging.getLogger("tui")


@dataclass
class AnswerJob:
    """Everything one answer needs; ``run()`` is the body of the thread worker."""

    engine: Engine
    store: ConversationStore | None
    exchange: Exchange
    history: Sequence[Turn]
    view: AnswerView
    cancelled: Callable[[], bool]
    gate: threading.Lock  # one generation at a time, and not before warm-up has finished
    candidates_k: int = 5
    scope: Scope | None = None  # the articles the question is about (None: all)
    flush_seconds: float = 0.05
    save_seconds: float = 0.5

    def run(self) -> None:
        if not self._enter_gate():
            self._finished(self._record(CANCELLED, ""))
            return
        try:
            self._generate()
        finally:
            self.gate.release()

    def _enter_gate(self) -> bool:
        """Wait for the model (warm-up or a stopping answer), giving up if cancelled."""
        while not self.gate.acquire(timeout=0.1):
            if self.cancelled():
                return False
        if self.cancelled():
            self.gate.release()
            return False
        return True

    def _generate(self) -> None:
        ex = self.exchange
        try:
            stream = self.engine.ask(ex.question, self.history, self.scope)
        except Exception as exc:
            self._failed(exc, "")
            return
        candidates = _candidates(stream.passages, self.candidates_k)
        self.view.post_message(AnswerView.Started(self.view, candidates))
        self._save_partial("", candidates)
        parts: list[str] = []
        pending: list[str] = []
        last_flush = last_save = time.monotonic()
        try:
            for piece in stream:
                if isinstance(piece, Replaced):  # a second try or a translation follows
                    piece = "\n\n"  # shown after what it replaces; the final answer replaces all
                parts.append(piece)
                pending.append(piece)
                if self.cancelled():
                    stream.close()
                    break
                now = time.monotonic()
                if now - last_flush >= self.flush_seconds:
                    self._flush(pending)
                    last_flush = now
                if now - last_save >= self.save_seconds:
                    self._save_partial("".join(parts))
                    last_save = now
            answer = stream.answer
        except Exception as exc:
            self._flush(pending)
            self._failed(exc, "".join(parts))
            return
        self._flush(pending)
        status = CANCELLED if answer.cancelled or self.cancelled() else DONE
        self._finished(self._save_final(answer, status), checks=answer.checks)

    def _flush(self, pending: list[str]) -> None:
        if pending:
            self.view.post_message(AnswerView.Delta(self.view, "".join(pending)))
            pending.clear()

    def _finished(
        self,
        exchange: Exchange,
        title: str = "",
        hint: str = "",
        checks: tuple[CheckFiring, ...] = (),
    ) -> None:
        self.view.post_message(AnswerView.Finished(self.view, exchange, title, hint, checks))

    def _failed(self, exc: Exception, partial: str) -> None:
        if not isinstance(exc, QAError):
            log.exception("answering %r failed", self.exchange.question)
        exchange = self._record(ERROR, partial, error=error_message(exc))
        self._finished(exchange, error_title(exc), error_hint(exc))

    # ------------------------------------------------------------ saving

    def _save_partial(self, text: str, sources: Sequence[Source] | None = None) -> None:
        if self.store is None or not self.exchange.id:
            return
        try:
            self.store.save_partial(self.exchange.id, text, sources)
        except ConversationStoreError:
            log.exception("could not save a partial answer")

    def _save_final(self, answer: Answer, status: str) -> Exchange:
        t = answer.timings
        return self._record(
            status,
            answer.answer,
            sources=answer.sources,
            model=answer.model,
            ttft_ms=t.ttft_ms,
            total_ms=t.total_ms,
            tokens_per_s=t.tokens_per_s,
            refused=answer.refused,
        )

    def _record(self, status: str, answer: str, **ending: Any) -> Exchange:
        """Save how the answer ended; the in-memory record stands in if saving fails.

        ``ending`` holds the other ``Exchange`` fields the store's ``finish`` takes (sources,
        model, timings, refused, error)."""
        ex = self.exchange
        record = replace(ex, answer=answer, status=status, **ending)
        if self.store is None or not ex.id:
            return record
        try:
            return self.store.finish(ex.id, answer=answer, status=status, **ending)
        except ConversationStoreError:
            log.exception("could not save an answer")
            return record


def _candidates(passages: Sequence[Passage], k: int) -> tuple[Source, ...]:
    """The best-scored passages the model reads, shown while it writes."""
    best = sorted(passages, key=lambda p: -p.score)[:k]
    return tuple(Source(p.n, p.doc, p.title, p.text, p.start, p.end, p.score) for p in best)
