"""The answer half of a question: the model's text streamed as it is written, held back while it
may be a refusal, tried again when a retry check fires, then checked and cited by the answer
checks (``qa.checks``) into the final ``Answer``. ``Engine.ask`` (the session: index, models,
prompt) starts one per question."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace

from qa.answer import Answer, CheckFiring, Replaced, Source, Timings
from qa.answer_opening import naming_opening
from qa.checks import (
    AnswerContext,
    ArticleFacts,
    Cited,
    answered,
    cite,
    hold,
    refusal,
    retries,
    rewrite,
)
from qa.prompting import REFUSAL, Passage, is_refusal, strip_citations
from qa.translation import Reading

# How a second try after a refusal would refuse again in other words ("Tidak ada emiten baru").
REFUSAL_IN_OTHER_WORDS = ("Tidak", "No")


def _may_become_refusal(text: str) -> bool:
    """Whether streamed text so far is the start of a refusal (so it is held back)."""
    start = text.strip()
    return is_refusal(start) or any(r.startswith(start) for r in REFUSAL.values())


class AnswerStream:
    """Iterate for answer text (``str``) as it is generated, with a ``Replaced`` event where
    what was shown is replaced; ``answer`` is complete once iteration ends.

    ``passages`` are known before the first token, so a UI can show them while the model writes.
    ``close()`` stops generation early (the answer is then marked cancelled).

    The small model refuses questions its passages answer in other words ("Tahun ini hanya ada
    delapan emiten baru" for "... pada tahun 2005"), while every refusal it should give is also
    given by the grounding checks. So a refusal is held back while it is being written and, when
    ``retry`` is given, the model is asked again without the refusal (or "Tidak"/"No") as its
    first word; the answer it then writes is grounded like any other. An answer that only says
    the question back ("Proses peralihan trafik ... dilaksanakan mulai 16 Januari 2006."), or
    gives no time for "when", is retried the same way, without its first word (failing twice,
    the first wording stays). It is not held back (most answers start by repeating the question,
    and holding them would delay every first word), so the second try follows it on screen and
    the final answer replaces both. Which checks do what is ``qa.checks``; ``disabled_checks``
    names those switched off.

    When the prompt ends with the answer's ``opening`` (``qa.answer_opening``), the model's text
    goes on from it: the opening is shown with its first token (unless that is a refusal), and a
    second try goes without it. A "Siapa (yang) ...?" answer that names no one (the quote said
    back, not who said it) is tried again from the question as a statement up to the name
    ("Yang menyebut ... adalah"), which the small model then fills.
    """

    def __init__(
        self,
        question: str,
        language: str,
        passages: list[Passage],
        fallback: list[Passage],
        tokens: Iterator[str],
        model: str,
        started: float,
        retrieve_ms: float,
        readings: Sequence[Reading] = (),
        retry: Callable[[Sequence[str], str | None], Iterator[str]] | None = None,
        corpus_share: Callable[[str], float] | None = None,
        opening: str | None = None,
        whole_corpus: bool = False,
        asked_as: str | None = None,
        back: Callable[[str, str], str | None] | None = None,
        articles_language: str = "id",
        disabled_checks: Collection[str] = (),
        article_facts: Callable[[str, str], ArticleFacts] | None = None,
    ) -> None:
        self.question = question
        self._asked_as = asked_as or question  # as the user wrote it; ``question`` is as read
        self._back = back  # the answer into the user's language, when it was read in another
        self.language = language
        self.passages = passages
        self._fallback = fallback
        self._tokens = tokens
        self._model = model
        self._started = started
        self._retrieve_ms = retrieve_ms
        self._retry = retry
        self._opening = opening  # the answer's first words, in the prompt already
        self._context = AnswerContext(
            question=question,
            language=language,
            passages=tuple(passages),
            readings={r.passage.n: r for r in readings},
            asked_as=self._asked_as,
            corpus_share=corpus_share,
            whole_corpus=whole_corpus,
            articles_language=articles_language,
            article_facts=article_facts,
        )
        self._off = frozenset(disabled_checks)
        self._fired: list[CheckFiring] = []  # retries, as they fire
        self._parts: list[str] = []
        self._first: float | None = None
        self._answer: Answer | None = None
        self._cancelled = False

    def __iter__(self) -> Iterator[str | Replaced]:
        try:
            held: list[str] = []  # the start of what may be a refusal, not shown yet
            for text in self._tokens:
                held.append(text)
                holding = self._retry is not None and not self._parts
                if holding and _may_become_refusal("".join(held)):
                    continue
                yield from self._shown(held)
                held = []
            avoid = None
            if self._retry is not None and not self._cancelled:
                avoid = self._avoid("".join(self._parts), "".join(held))
            if avoid is None or self._retry is None:
                yield from self._shown(held)
            else:
                first_try = self._parts
                if first_try:
                    yield Replaced("second try")
                avoid, opening = avoid
                self._parts, self._tokens = [], self._retry(avoid, opening)
                self._opening = opening  # the second try starts afresh, or from a new opening
                for text in self._tokens:
                    yield from self._shown([text])
                if first_try and (again := self._answers_nothing("".join(self._parts))):
                    # Failed twice: the first, unconstrained wording stays. Not a refusal: the
                    # model found the passage it cites, so "the articles do not say" may be false.
                    self._parts = first_try
                    self._fired += [
                        replace(f, reason=f"{f.reason}, on the second try too: the first stays")
                        for f in again
                    ]
            if self._back is not None and not self._cancelled:
                yield from self._put_back(self._back)
        finally:
            self._finish()

    def _put_back(self, back: Callable[[str, str], str | None]) -> Iterator[str | Replaced]:
        """The checked answer in the language it was asked in, replacing what was shown. When
        the translation loses a name or number, the checked answer stays as it was read."""
        self._finish()
        read = self.answer
        if read.refused:
            text: str | None = REFUSAL["id"]
        else:
            text = back(read.answer, self._context.joined_read) if read.answer else None
        if text is None:
            self._answer = replace(read, question=self._asked_as)
            return
        yield Replaced("translated")
        yield text
        total = (time.perf_counter() - self._started) * 1000
        self._answer = replace(
            read,
            question=self._asked_as,
            answer=text,
            language="id",
            timings=replace(read.timings, total_ms=total),
        )

    def _answers_nothing(self, text: str) -> list[CheckFiring]:
        """The retry checks that fire: the answer only says the question back, places nothing
        in time for a *when* question or names no one for a *who* question (worth a second
        try). Not an answer of the wrong shape (a date for "how many"): that is refused, as a
        second try then guesses (seed s068, s070)."""
        return retries(self._context, text, self._off)

    def _avoid(self, shown: str, held: str) -> tuple[list[str], str | None] | None:
        """The first words a second try must not start with and the opening it goes on from,
        or None when no second try."""
        refusals = [*REFUSAL.values(), *REFUSAL_IN_OTHER_WORDS]
        if not shown and (fired := retries(self._context, held, self._off, first_words=True)):
            self._fired += fired
            return refusals, None
        fired = self._answers_nothing(shown + held)
        if not fired:
            return None
        self._fired += fired
        opening = naming_opening(self.question, self.language)  # a regex: cheap, so first
        if opening and any(f.name == "retry.names-no-one" for f in fired):
            return refusals, opening  # "Penggabungan ... ancaman" -> "Yang menyebut ... adalah"
        first = strip_citations(shown + held).split()[:1]
        return [*first, *refusals], None

    def _shown(self, texts: list[str]) -> Iterator[str]:
        for text in texts:
            if self._first is None:
                self._first = time.perf_counter()
            if not self._parts:
                text = text.lstrip()
                if not text:
                    continue  # a lone space: Qwen writes " 67P" as " ", "6", "7", "P"
                if self._opening and not is_refusal("".join(texts)):
                    # "adalah" + "Easley", "Babelpos" + '"a potential threat."', not + "."
                    gap = "" if text[:1] in ".,;:!?)]}" else " "
                    text = self._opening + gap + text
            self._parts.append(text)
            yield text

    def close(self) -> None:
        """Cancel: stop the model at the next token."""
        self._cancelled = True
        close = getattr(self._tokens, "close", None)
        if close is not None:
            close()
        self._finish()

    @property
    def written(self) -> str:
        """The model's text as it wrote it (its final try, the opening included), before the
        answer rewrites and grounding checks: what ``bench/answer_replay.py`` feeds back to
        measure a change to those without the model."""
        return "".join(self._parts)

    @property
    def answer(self) -> Answer:
        if self._answer is None:
            for _ in self:
                pass
        assert self._answer is not None
        return self._answer

    def _finish(self) -> None:
        if self._answer is not None:
            return
        end = time.perf_counter()
        first = self._first if self._first is not None else end
        text, rewrites = rewrite(self._context, "".join(self._parts).strip(), self._off)
        text, sources, refused, refusals = self._ground(text)
        self._answer = Answer(
            question=self._asked_as,
            answer=text,
            sources=sources,
            timings=Timings(
                retrieve_ms=self._retrieve_ms,
                ttft_ms=(first - self._started) * 1000,
                total_ms=(end - self._started) * 1000,
                tokens=len(self._parts),
            ),
            model=self._model,
            language=self.language,
            refused=refused,
            cancelled=self._cancelled,
            checks=(*self._fired, *rewrites, *refusals),
        )

    def _ground(self, text: str) -> tuple[str, tuple[Source, ...], bool, list[CheckFiring]]:
        """Check the answer against the passages as the model read them: answer a question
        about the article itself from its metadata (``qa.checks.answered``), turn an answer
        they do not ground into a refusal (``qa.checks.refusal``), else cite the passages that
        support it (``qa.checks.cite``) and hold it to what they say (``qa.checks.hold``)."""
        if not self._cancelled and (about := answered(self._context, self._off)):
            firing, found = about
            if found is None:
                return REFUSAL[self.language], (), True, [firing]
            return found.text, found.sources, False, [firing]
        if is_refusal(text):
            return text, (), True, []
        if not text or self._cancelled:
            return text, (), False, []
        if refused := refusal(self._context, text, self._off):
            return REFUSAL[self.language], (), True, [refused]
        cited = Cited(*cite(self._context, text, self._fallback))
        held, firing = hold(self._context, cited, self._off)
        fired = [firing] if firing else []
        if held is None:
            return REFUSAL[self.language], (), True, fired
        return held.text, held.sources, False, fired
