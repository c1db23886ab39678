"""Finding the evidence for an answer: the passage sentence that best supports it, with offsets.

Small models often forget to cite, or cite a neighbour. Citations the model gave are kept when the
passage supports the answer; otherwise the passage with the best-supporting sentence is cited. Each
cited source carries the exact quote (offsets into the article) that supports the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answer import Source
from qa.checks.registry import AnswerContext
from qa.checks.text import names_and_numbers
from qa.chunking import sentence_spans
from qa.lexical import tokenize
from qa.prompting import Passage, cited_claims, strip_citations


@dataclass(frozen=True)
class Evidence:
    n: int  # passage number
    start: int  # offsets of the supporting sentence in the article
    end: int
    score: float  # weighted share of the answer's new words found in the sentence


def _weights(answer: str, question: str) -> dict[str, float]:
    """Answer words, weighted: words the question did not already contain count more."""
    asked = set(tokenize(question))
    weights: dict[str, float] = {}
    for token in tokenize(strip_citations(answer)):
        weights[token] = 1.0 if token in asked else (2.5 if token.isdigit() else 2.0)
    return weights


def find_evidence(answer: str, question: str, passages: Sequence[Passage]) -> list[Evidence]:
    """Best-supporting sentence per passage, best first (only passages with some support)."""
    weights = _weights(answer, question)
    total = sum(w for t, w in weights.items())
    if not total:
        return []
    found = []
    for p in passages:
        best: Evidence | None = None
        for span in sentence_spans(p.text):
            words = set(tokenize(p.text[span.start : span.end]))
            score = sum(w for t, w in weights.items() if t in words) / total
            if best is None or score > best.score:
                best = Evidence(p.n, p.start + span.start, p.start + span.end, score)
        if best is not None and best.score > 0:
            found.append(best)
    return sorted(found, key=lambda e: -e.score)


# Share of the answer's new words a sentence must hold to count as its evidence.
MIN_SUPPORT = 0.3


def _in_article(ctx: AnswerContext, evidence: Evidence) -> Evidence:
    """Evidence found in an English reading, moved to the original sentences it renders."""
    reading = ctx.readings.get(evidence.n)
    if reading is None:
        return evidence
    start, end = reading.to_article(evidence.start, evidence.end)
    return Evidence(evidence.n, start, end, evidence.score)


def cite(
    ctx: AnswerContext, text: str, fallback: Sequence[Passage]
) -> tuple[str, tuple[Source, ...]]:
    """The sources of a grounded answer: the citations it gave that the passages support (with
    the quote that supports each), else the passage that best supports it, cited at its end;
    else the ``fallback`` passages, uncited."""
    read = ctx.read
    by_number = {p.n: p for p in ctx.passages}
    read_by_number = {p.n: p for p in read}

    def support(claim: str, n: int) -> Evidence | None:
        """The evidence in passage n for a claim: enough of its words and all its numbers."""
        numbers = [w for w in names_and_numbers(claim) if w[0].isdigit()]
        texts = (by_number[n].text, read_by_number[n].text)
        if not all(any(x in t for t in texts) for x in numbers):
            return None
        found = find_evidence(claim, ctx.question, [read_by_number[n]])
        if not found or found[0].score < MIN_SUPPORT:
            return None
        return _in_article(ctx, found[0])

    given: list[int] = []
    quotes: dict[int, Evidence] = {}
    for n, claim in cited_claims(text):
        if n in by_number and n not in quotes and (found := support(claim, n)):
            given.append(n)
            quotes[n] = found
    if not given:  # no (valid) citation: cite the passage that best supports the answer
        for candidate in find_evidence(text, ctx.question, read):
            if found := support(text, candidate.n):
                given, quotes[candidate.n] = [candidate.n], found
                text = f"{strip_citations(text)} [{candidate.n}]"
                break
    if given:
        chosen = [(by_number[n], quotes.get(n)) for n in given]
    else:
        chosen = [(p, None) for p in fallback]
    sources = tuple(
        Source(
            p.n,
            p.doc,
            p.title,
            p.text,
            p.start,
            p.end,
            p.score,
            cited=bool(given),
            quote_start=e.start if e else None,
            quote_end=e.end if e else None,
        )
        for p, e in chosen
    )
    return text, sources
