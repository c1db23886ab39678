"""Measuring answer quality: load a JSON-lines question set, ask the engine, score, summarise.

An item is ``{"id", "q" | "turns", "a", "unanswerable"?, "doc"?, "ev"?, "lang"?}`` (the format of
``shared/dev_qa.jsonl``). An answer is correct when any string of ``a`` occurs in it (case-folded,
punctuation ignored, starting at a word; see ``matches_gold``) and it is not a refusal; an
unanswerable item is correct when the answer is a refusal.
"""

from __future__ import annotations

import json
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.answer import Answer, CheckFiring
from qa.engine import Engine
from qa.errors import InputError
from qa.language import question_language
from qa.prompting import Turn


@dataclass(frozen=True)
class EvalItem:
    id: str
    turns: tuple[str, ...]
    answers: tuple[str, ...]
    unanswerable: bool = False
    doc: str | None = None
    evidence: str | None = None
    lang: str = "id"

    @property
    def question(self) -> str:
        return self.turns[-1]


@dataclass(frozen=True)
class EvalResult:
    item: EvalItem
    answer: str
    correct: bool
    refused: bool
    retrieved: bool | None  # gold article/evidence among the top-k passages (None: no gold given)
    cited: int  # number of cited sources
    cited_supporting: int  # cited sources that contain an answer string or the evidence
    ttft_ms: float
    total_ms: float
    checks: tuple[CheckFiring, ...] = ()  # the answer checks that changed the answer


def load_items(path: Path) -> list[EvalItem]:
    if not path.is_file():
        raise InputError(f"evaluation file {path} does not exist; pass a JSON-lines file")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            turns = tuple(row["turns"]) if row.get("turns") else (row["q"],)
            items.append(
                EvalItem(
                    id=str(row.get("id", number)),
                    turns=turns,
                    answers=tuple(row.get("a") or ()),
                    unanswerable=bool(row.get("unanswerable", False)),
                    doc=row.get("doc"),
                    evidence=row.get("ev"),
                    lang=row.get("lang") or question_language(turns[-1]),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path} line {number} is not an evaluation item") from None
    return items


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _words(text: str) -> str:
    """Case-folded words, one space apart; punctuation counts as a space. FacQA's gold spans lack
    the article's punctuation ("Bangkok Thailand" for "Bangkok, Thailand"), so an answer quoting the
    article word for word has to match them."""
    return _norm("".join(" " if unicodedata.category(c).startswith("P") else c for c in text))


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """A gold answer starts at a word of ``text`` ("AS" is not in "kasus"); it may end inside one,
    so a stem ("sanction") matches its forms ("sanctions")."""
    haystack = f" {_words(text)}"
    return any(f" {_words(a)}" in haystack for a in answers if _words(a))


def matches_gold(text: str, item: EvalItem) -> bool:
    """``text`` contains a gold string, or one without its first words when both the question and
    ``text`` name each of them. FacQA's spans often repeat the question's noun or title ("Topan
    Katrina" for "Apa nama topan …?", "Menteri Pertanian Anton Apriyantono" for "Siapakah Menteri
    Pertanian Indonesia?"), so "Nama topan itu adalah Katrina" is as right as "Topan Katrina",
    while "Goa Jati" is not "Danau Jati"; the rest must keep four letters or more."""
    if contains_answer(text, item.answers):
        return True
    named = set(_words(item.question).split()) & set(_words(text).split())
    for gold in item.answers:
        words = _words(gold).split()
        for cut in range(1, len(words)):
            if words[cut - 1] not in named:
                break
            rest = " ".join(words[cut:])
            if sum(c.isalpha() for c in rest) >= 4 and contains_answer(text, [rest]):
                return True
    return False


def evidence_in(text: str, evidence: str) -> bool:
    """The evidence quote (or a long part of it, if it straddles a chunk edge) is in ``text``."""
    hay, ev = _norm(text), _norm(evidence)
    return ev in hay or (len(ev) > 60 and (ev[:40] in hay or ev[-40:] in hay))


def is_correct(item: EvalItem, answer: str, refused: bool) -> bool:
    """A refusal for an unanswerable item; otherwise an answer holding a gold string."""
    if item.unanswerable:
        return refused
    return not refused and matches_gold(answer, item)


def score_answer(item: EvalItem, answer: Answer, retrieved: bool | None) -> EvalResult:
    """Score one final answer against its item."""
    correct = is_correct(item, answer.answer, answer.refused)
    cited = [s for s in answer.sources if s.cited]
    supporting = [
        s
        for s in cited
        if matches_gold(s.text, item)
        or (item.evidence is not None and evidence_in(s.text, item.evidence))
    ]
    return EvalResult(
        item=item,
        answer=answer.answer,
        correct=correct,
        refused=answer.refused,
        retrieved=retrieved,
        cited=len(cited),
        cited_supporting=len(supporting),
        ttft_ms=answer.timings.ttft_ms,
        total_ms=answer.timings.total_ms,
        checks=answer.checks,
    )


def retrieval_hit(engine: Engine, item: EvalItem, history: list[Turn], k: int) -> bool | None:
    """Is the gold article (and evidence, if given) among the top-k retrieved passages?"""
    if item.unanswerable or (item.doc is None and item.evidence is None):
        return None
    hits = engine.retrieve(item.question, history, k)
    for hit in hits:
        if item.doc is not None and hit.chunk.doc != item.doc:
            continue
        if item.evidence is None or evidence_in(hit.chunk.text, item.evidence):
            return True
    return False


def evaluate(
    engine: Engine,
    items: list[EvalItem],
    *,
    k: int,
    retrieval_only: bool = False,
    on_result: Callable[[EvalResult | tuple[EvalItem, bool | None]], None] = lambda _r: None,
) -> list[EvalResult] | list[tuple[EvalItem, bool | None]]:
    """Ask every item (earlier turns first); with ``retrieval_only`` only score retrieval."""
    if retrieval_only:
        hits = []
        for item in items:
            row = (item, retrieval_hit(engine, item, [], k))
            hits.append(row)
            on_result(row)
        return hits
    results = []
    for item in items:
        history: list[Turn] = []
        for question in item.turns[:-1]:
            history.append(Turn(question, engine.answer(question, history).answer))
        retrieved = retrieval_hit(engine, item, history, k)
        result = score_answer(item, engine.answer(item.question, history), retrieved)
        results.append(result)
        on_result(result)
    return results


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def summarize(results: list[EvalResult]) -> dict[str, float | int | None]:
    answerable = [r for r in results if not r.item.unanswerable]
    unanswerable = [r for r in results if r.item.unanswerable]
    multi = [r for r in results if len(r.item.turns) > 1]
    by_lang = {lang: [r for r in answerable if r.item.lang == lang] for lang in ("id", "en")}
    with_gold = [r for r in results if r.retrieved is not None]
    cited = sum(r.cited for r in answerable)
    ttfts = [r.ttft_ms for r in results]
    return {
        "items": len(results),
        "correct": sum(r.correct for r in results),
        "answer_accuracy": _ratio(sum(r.correct for r in answerable), len(answerable)),
        "refusal_accuracy": _ratio(sum(r.correct for r in unanswerable), len(unanswerable)),
        "false_refusals": sum(r.refused for r in answerable),
        "multi_turn_accuracy": _ratio(sum(r.correct for r in multi), len(multi)),
        "accuracy_id": _ratio(sum(r.correct for r in by_lang["id"]), len(by_lang["id"])),
        "accuracy_en": _ratio(sum(r.correct for r in by_lang["en"]), len(by_lang["en"])),
        "retrieval_recall": _ratio(sum(bool(r.retrieved) for r in with_gold), len(with_gold)),
        "citation_precision": _ratio(sum(r.cited_supporting for r in answerable), cited),
        "answers_with_citation": _ratio(sum(r.cited > 0 for r in answerable), len(answerable)),
        "ttft_median_ms": round(statistics.median(ttfts), 1) if ttfts else None,
        "ttft_p90_ms": _pct(ttfts, 0.9),
        "total_median_ms": round(statistics.median(r.total_ms for r in results), 1)
        if results
        else None,
    }


def summarize_retrieval(rows: list[tuple[EvalItem, bool | None]]) -> dict[str, float | int | None]:
    scored = [hit for _item, hit in rows if hit is not None]
    return {"items": len(rows), "retrieval_recall": _ratio(sum(scored), len(scored))}


LABELS = {
    "items": "items",
    "correct": "correct",
    "answer_accuracy": "answer accuracy (answerable)",
    "refusal_accuracy": "refusal accuracy (unanswerable)",
    "false_refusals": "false refusals",
    "multi_turn_accuracy": "multi-turn accuracy",
    "accuracy_id": "accuracy, Indonesian questions",
    "accuracy_en": "accuracy, English questions",
    "retrieval_recall": "retrieval recall@k",
    "citation_precision": "citation precision",
    "answers_with_citation": "answers with a citation",
    "ttft_median_ms": "time to first token, median (ms)",
    "ttft_p90_ms": "time to first token, p90 (ms)",
    "total_median_ms": "total time, median (ms)",
}


def format_table(summary: dict[str, float | int | None]) -> str:
    width = max(len(LABELS.get(k, k)) for k in summary)
    lines = []
    for key, value in summary.items():
        shown = "n/a" if value is None else value
        lines.append(f"{LABELS.get(key, key):<{width}}  {shown}")
    return "\n".join(lines)
