"""What an answer is: its text, the passages it cites (with the quote that supports it), how
long it took and which answer checks changed it. Plain frozen data, so the conversation store,
the CLI and the UI read answers without loading the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckFiring:
    """A check that changed the answer: its registry name (``rewrite.dates``, ``refuse.shape``,
    ``retry.says-question-back``) and, for a refusal or a retry, why."""

    name: str
    reason: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class Source:
    """A passage given to the model; ``text == article[start:end]`` of ``doc``.

    ``quote_start:quote_end`` (article offsets) is the sentence that supports the answer, when
    one was found.
    """

    n: int
    doc: str
    title: str
    text: str
    start: int
    end: int
    score: float
    cited: bool = False
    quote_start: int | None = None
    quote_end: int | None = None

    @property
    def quote(self) -> str:
        if self.quote_start is None or self.quote_end is None:
            return ""
        return self.text[self.quote_start - self.start : self.quote_end - self.start]

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "n": self.n,
            "doc": self.doc,
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "cited": self.cited,
        }
        if self.quote:
            data["quote"] = {"text": self.quote, "start": self.quote_start, "end": self.quote_end}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        """The inverse of ``as_json`` (what the conversation store reads back)."""
        quote = data.get("quote") or {}
        return cls(
            int(data["n"]),
            str(data["doc"]),
            str(data["title"]),
            str(data["text"]),
            int(data["start"]),
            int(data["end"]),
            float(data["score"]),
            bool(data.get("cited", False)),
            int(quote["start"]) if "start" in quote else None,
            int(quote["end"]) if "end" in quote else None,
        )


@dataclass(frozen=True)
class Timings:
    retrieve_ms: float
    ttft_ms: float
    total_ms: float
    tokens: int = 0

    @property
    def tokens_per_s(self) -> float:
        gen_ms = self.total_ms - self.ttft_ms
        return (self.tokens - 1) / (gen_ms / 1000) if self.tokens > 1 and gen_ms > 0 else 0.0

    def as_json(self) -> dict[str, float]:
        return {
            "retrieve_ms": round(self.retrieve_ms, 1),
            "ttft_ms": round(self.ttft_ms, 1),
            "total_ms": round(self.total_ms, 1),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    sources: tuple[Source, ...]
    timings: Timings
    model: str
    language: str
    refused: bool
    cancelled: bool = False
    checks: tuple[CheckFiring, ...] = ()  # in the order they fired

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.answer,
            "sources": [s.as_json() for s in self.sources],
            "timings": self.timings.as_json(),
            "model": self.model,
            "language": self.language,
            "refused": self.refused,
            "checks": [c.as_json() for c in self.checks],
        }


@dataclass(frozen=True)
class Replaced:
    """Yielded by ``AnswerStream`` between texts: what was shown so far is replaced by what
    follows (a second try, or the answer put into the question's language)."""

    why: str  # "second try" or "translated"
