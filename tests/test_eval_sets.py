"""The project's own evaluation sets stay usable: each loads, and each evidence quote is where it
says, so a figure in bench/QUALITY.md is not an artefact of a set that drifted from its article."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.corpus import load_articles
from qa.evaluation import load_items

EVAL = Path(__file__).parent / "eval"
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("name", sorted(p.name for p in EVAL.glob("*.jsonl")))
def test_each_set_loads_with_answers_or_refusals(name: str) -> None:
    items = load_items(EVAL / name)
    assert items
    assert len({i.id for i in items}) == len(items)
    assert all(i.answers or i.unanswerable for i in items)


@pytest.mark.parametrize(
    "name",
    [
        "seed_qa.jsonl",
        "seed_heldout.jsonl",
        "seed_faithful_tune.jsonl",
        "seed_faithful_heldout.jsonl",
    ],
)
def test_seed_evidence_quotes_are_in_their_article(name: str) -> None:
    articles = {a.doc: a.text for a in load_articles(ROOT / "seeds", lambda _m: None)}
    quoted = [i for i in load_items(EVAL / name) if i.doc and i.evidence]
    assert quoted
    missing = [
        i.id
        for i in quoted
        if " ".join(i.evidence.split()) not in " ".join(articles[i.doc].split())
    ]
    assert not missing


def test_english_article_set_asks_the_seed_questions() -> None:
    """The same questions and answers over the seed article in English (answers are given in
    both languages), so the two sets' figures compare question by question."""
    seed = {i.id: i for i in load_items(EVAL / "seed_qa.jsonl")}
    english = load_items(EVAL / "seed_qa_english_article.jsonl")
    assert [i.id for i in english] == list(seed)
    for item in english:
        twin = seed[item.id]
        assert (item.turns, item.answers, item.unanswerable) == (
            twin.turns,
            twin.answers,
            twin.unanswerable,
        )
    assert list((EVAL / "articles_en").glob("*.txt"))
