"""When the model should try again: it refused a question its passages answer in other words,
said the question back, gave no time for *when* or named no one for *who* (``AnswerStream``
asks again without the failed first word; failing twice, the first wording stays)."""

from __future__ import annotations

from qa.checks.registry import AnswerContext, check
from qa.checks.restatement import asks_for_something, names_no_one, says_question_back
from qa.checks.shape import gives_no_time
from qa.prompting import is_refusal, strip_citations


@check("retry.refusal", "retry")
def refusal(ctx: AnswerContext, text: str) -> str | None:
    """Try again when the first try refuses: the small model refuses questions its passages
    answer in other words, while every refusal it should give is also given by the refuse
    checks."""
    return "the model refused" if is_refusal(text) else None


@check("retry.says-question-back", "retry")
def says_it_back(ctx: AnswerContext, text: str) -> str | None:
    """Try again when the answer only says the question back."""
    if asks_for_something(ctx.question) and says_question_back(ctx.question, text):
        return "the answer says the question back"
    return None


@check("retry.gives-no-time", "retry")
def no_time(ctx: AnswerContext, text: str) -> str | None:
    """Try again when a *when* answer places nothing in time the question did not already."""
    answered = strip_citations(text)
    if answered and gives_no_time(ctx.question, answered):
        return "a *when* answer that gives no time"
    return None


@check("retry.names-no-one", "retry")
def no_one(ctx: AnswerContext, text: str) -> str | None:
    """Try again (from the question as a statement up to the name) when a *who* answer names
    no one: the quote said back, not who said it."""
    answered = strip_citations(text)
    if not answered or is_refusal(answered):
        return None
    if names_no_one(ctx.question, answered, ctx.joined_read):
        return "a *who* answer that names no one"
    return None
