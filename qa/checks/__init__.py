"""The answer checks, as one registry: every check is named, switchable and run in one order.

``ORDER`` is the list. Adding a check is one function decorated with ``@check`` in the module of
its kind, one line here and one test in ``tests/checks/``; removing it is deleting those. The
engine calls only the entry points below: ``answered``, ``rewrite``, ``refusal``, ``cite``,
``hold`` and ``retries``, in that order.

Switch checks off with ``QA_DISABLE_CHECKS=name,name`` (or ``qa eval --disable-checks``); an
answer lists the checks that changed it in ``Answer.checks``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import qa.checks.faithful as faithful
import qa.checks.grounding as grounding
import qa.checks.names as names
import qa.checks.numbers as numbers
import qa.checks.retrying as retrying
import qa.checks.shape as shape
from qa.answer import CheckFiring
from qa.article_meta import ArticleFacts
from qa.checks.evidence import cite
from qa.checks.registry import PHASES, AnswerContext, Check, Cited, Phase
from qa.errors import InputError

__all__ = [
    "ORDER",
    "AnswerContext",
    "ArticleFacts",
    "Check",
    "Cited",
    "answered",
    "cite",
    "disabled_checks",
    "hold",
    "refusal",
    "retries",
    "rewrite",
]

ORDER: tuple[Check, ...] = (
    # answers the model's text cannot give: what the article says about itself
    faithful.about_the_article,
    # rewrites: the answer written as its passages write it
    numbers.rejoined_numbers,
    names.initials,
    numbers.dates,
    names.full_names,
    numbers.number_words,
    numbers.qualifiers,
    numbers.counts,
    numbers.counted,
    grounding.asides,
    names.abbreviations,
    names.spellings,
    names.titles,
    # refusals: an answer the passages do not ground becomes "not in the articles"
    shape.wrong_shape,
    grounding.unmentioned_topic,
    grounding.unmentioned_title,
    grounding.kind_never_mentioned,
    grounding.unsupported,
    # held to the cited sentence: the asked event, the asked party, the sentence's polarity
    faithful.asked_event,
    faithful.asked_party,
    faithful.polarity,
    # retries: a second try, without the failed first word
    retrying.refusal,
    retrying.says_it_back,
    retrying.no_time,
    retrying.no_one,
)
BY_NAME = {c.name: c for c in ORDER}
assert len(BY_NAME) == len(ORDER), "two checks share a name"
assert [c.phase for c in ORDER] == sorted((c.phase for c in ORDER), key=PHASES.index)

# The retry that holds back a refusal is asked about the first try only, before it is shown.
REFUSAL_RETRY = retrying.refusal.name


def disabled_checks(names: str | Iterable[str]) -> frozenset[str]:
    """Check names from "name,name" (``QA_DISABLE_CHECKS``); an unknown name is an error that
    lists the known ones."""
    if isinstance(names, str):
        names = names.split(",")
    wanted = frozenset(n.strip() for n in names if n.strip())
    unknown = sorted(wanted - BY_NAME.keys())
    if unknown:
        raise InputError(
            f"unknown answer check {', '.join(unknown)}; the checks are: {', '.join(BY_NAME)}"
        )
    return wanted


def _active(phase: Phase, language: str, off: Collection[str]) -> list[Check]:
    return [c for c in ORDER if c.phase == phase and c.applies(language) and c.name not in off]


def answered(
    ctx: AnswerContext, off: Collection[str] = ()
) -> tuple[CheckFiring, Cited | None] | None:
    """An answer that does not come from the model's text: the first ``answer`` check that
    fires, with the answer (None: a refusal)."""
    for c in _active("answer", ctx.language, off):
        found = c.run(ctx, "")
        if isinstance(found, Cited):
            return CheckFiring(c.name), found
        if found:
            return CheckFiring(c.name, found), None
    return None


def rewrite(
    ctx: AnswerContext, text: str, off: Collection[str] = ()
) -> tuple[str, list[CheckFiring]]:
    """The answer after every rewrite, in order, and the rewrites that changed it."""
    fired: list[CheckFiring] = []
    for c in _active("rewrite", ctx.language, off):
        new = c.run(ctx, text)
        assert new is not None
        if new != text:
            fired.append(CheckFiring(c.name))
            text = new
    return text, fired


def refusal(ctx: AnswerContext, text: str, off: Collection[str] = ()) -> CheckFiring | None:
    """The first refuse check that fires, with why; None when the answer stands."""
    for c in _active("refuse", ctx.language, off):
        if reason := c.run(ctx, text):
            return CheckFiring(c.name, reason)
    return None


def hold(
    ctx: AnswerContext, cited: Cited, off: Collection[str] = ()
) -> tuple[Cited | None, CheckFiring | None]:
    """The cited answer held to its sentence: the first ``hold`` check that fires replaces it
    (or refuses it: None); unchanged when none fires."""
    for c in _active("hold", ctx.language, off):
        found = c.run(ctx, cited)
        if isinstance(found, Cited):
            return found, CheckFiring(c.name)
        if found:
            return None, CheckFiring(c.name, found)
    return cited, None


def retries(
    ctx: AnswerContext, text: str, off: Collection[str] = (), *, first_words: bool = False
) -> list[CheckFiring]:
    """The retry checks that fire on an answer. With ``first_words``, only whether the first
    words held back (nothing shown yet) are a refusal; otherwise every other retry check."""
    return [
        CheckFiring(c.name, reason)
        for c in _active("retry", ctx.language, off)
        if (c.name == REFUSAL_RETRY) == first_words and (reason := c.run(ctx, text))
    ]
