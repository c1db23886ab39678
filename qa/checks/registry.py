"""What an answer check is: a named function of the answer's context and its text.

Five phases, run in this order on every answer (``qa.checks.ORDER`` is the one list):
- ``answer``: a question the model's text cannot answer (about the article itself): returns the
  answer and its sources (``Cited``), a reason to refuse, or None;
- ``rewrite``: returns the text written as the passages write it (unchanged when nothing to do);
- ``refuse``: returns why the answer is not grounded (it becomes the refusal), or None;
- ``hold``: given the cited answer (``Cited``), returns another one, a reason to refuse (the
  answer does not say what its cited sentence says), or None; the first that fires ends it;
- ``retry``: returns why the model should try again (a second try), or None.
A check applies to answers in some ``languages`` only (the English ones read a translation, where
names are fuzzy). Its name is how it is switched off (``QA_DISABLE_CHECKS``) and how an answer
says it fired (``Answer.checks``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from qa.answer import Source
from qa.article_meta import ArticleFacts
from qa.prompting import Passage
from qa.translation import Reading

Phase = Literal["answer", "rewrite", "refuse", "hold", "retry"]
PHASES: tuple[Phase, ...] = ("answer", "rewrite", "refuse", "hold", "retry")
BOTH = frozenset(["id", "en"])
INDONESIAN = frozenset(["id"])


@dataclass(frozen=True)
class AnswerContext:
    """Everything a check may look at besides the answer text: the question (as the model read
    it, and as the user asked it), the answer's language and the passages."""

    question: str  # as the model read it (a translation, when the user's was put into English)
    language: str  # the answer's language, "id" or "en"
    passages: tuple[Passage, ...]  # as given to the model: article text
    readings: Mapping[int, Reading]  # passage number -> its English reading, when one was read
    asked_as: str = ""  # as the user wrote it ("" when the same)
    corpus_share: Callable[[str], float] | None = None  # how much of the corpus mentions a word
    whole_corpus: bool = False  # the passages are every article, not a search's best
    articles_language: str = "id"
    # (doc, title) -> what the article says of itself (its byline, date, source)
    article_facts: Callable[[str, str], ArticleFacts] | None = None

    @property
    def user_question(self) -> str:
        return self.asked_as or self.question

    @cached_property
    def read(self) -> list[Passage]:
        """The passages as the model read them (the English reading, if it had one)."""
        return [
            self.readings[p.n].as_passage() if p.n in self.readings else p for p in self.passages
        ]

    @cached_property
    def originals(self) -> list[Passage]:
        """The article passages behind the English readings."""
        return [r.passage for r in self.readings.values()]

    @cached_property
    def everything_read(self) -> list[Passage]:
        return [*self.read, *self.originals]

    @cached_property
    def joined_read(self) -> str:
        """What the model read, as one text (joined once, when first needed)."""
        return "\n".join(p.text for p in self.read)


@dataclass(frozen=True)
class Cited:
    """An answer with its sources: what ``hold`` checks get, and what ``answer`` and ``hold``
    checks may return instead of the model's."""

    text: str
    sources: tuple[Source, ...]

    @property
    def quoted(self) -> list[Source]:
        """The cited sources with the sentence that supports the answer."""
        return [s for s in self.sources if s.cited and s.quote]


# (context, text or Cited) -> new text, Cited, a reason, or None (see the phases above)
CheckFunction = Callable[[AnswerContext, Any], Any]


@dataclass(frozen=True)
class Check:
    """One answer check; what ``run`` takes and returns depends on its phase (see above)."""

    name: str
    phase: Phase
    languages: frozenset[str]
    run: CheckFunction
    why: str  # one line: what the check is for (the function's docstring)

    def applies(self, language: str) -> bool:
        return language in self.languages


def check(
    name: str, phase: Phase, languages: frozenset[str] = BOTH
) -> Callable[[CheckFunction], Check]:
    """Make a function a named check: ``@check("rewrite.dates", "rewrite")``."""
    if not name.startswith(f"{phase}."):
        raise ValueError(f"a {phase} check's name starts with {phase}. (got {name!r})")

    def made(function: CheckFunction) -> Check:
        why = (function.__doc__ or "").strip().split("\n\n")[0]
        return Check(name, phase, languages, function, " ".join(why.split()))

    return made


def unknown_names(names: Sequence[str], checks: Sequence[Check]) -> list[str]:
    known = {c.name for c in checks}
    return [n for n in names if n not in known]
