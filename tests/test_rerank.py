"""qa.rerank: the distinct fused top reordered by sentence evidence."""

from __future__ import annotations

import pytest

from qa.chunking import Chunk
from qa.copies import query_words, read
from qa.rerank import query_pairs, support, top_distinct

QUESTION = "Kapan Putin tiba di Pyongyang?"
TOGETHER = "Putin tiba di Pyongyang pada Rabu dini hari. Cuaca cerah."
SCATTERED = "Putin berpidato di Moskwa. Harga beras naik. Pesawat tiba di Pyongyang kemarin."


def _chunk(doc: str, text: str) -> Chunk:
    return Chunk(doc, doc, 0, 0, len(text), text)


def _support(text: str) -> float:
    words = query_words(QUESTION)
    reading = read(text, words)
    return support(reading.held, reading.tokens, words, query_pairs(QUESTION))


def test_support_counts_the_best_sentence_and_adjacent_pairs() -> None:
    assert query_words(QUESTION) == {"putin", "tiba", "pyongyang"}
    assert query_pairs(QUESTION) == {("putin", "tiba"), ("tiba", "pyongyang")}
    assert _support(TOGETHER) == pytest.approx(2.0)  # 3 of 3 words, 2 of 2 pairs
    assert _support(SCATTERED) == pytest.approx(2 / 3 + 1 / 2)
    assert _support("Cuaca cerah.") == 0.0


def _run(items, weight=0.5, pool=20, k=2, skip_copies=True):
    return top_distinct(
        items,
        lambda i: i[0],
        lambda i: i[1],
        QUESTION,
        k,
        skip_copies=skip_copies,
        weight=weight,
        pool=pool,
    )


def test_a_passage_saying_the_words_together_passes_a_scattered_better_fused_one() -> None:
    items = [(_chunk("a.txt", SCATTERED), 0.9), (_chunk("b.txt", TOGETHER), 0.7)]
    top, pool = _run(items)
    assert [c.doc for c, _ in top] == ["b.txt", "a.txt"] and len(pool) == 2
    plain, _ = _run(items, weight=0.0)
    assert [c.doc for c, _ in plain] == ["a.txt", "b.txt"], "weight 0: the fused order"


def test_only_the_pool_is_reordered_and_copies_take_no_place() -> None:
    items = [
        (_chunk("a.txt", SCATTERED), 0.9),
        (_chunk("c.txt", SCATTERED), 0.85),  # another article's copy: skipped
        (_chunk("d.txt", "Putin berpidato."), 0.8),
        (_chunk("b.txt", TOGETHER), 0.7),  # outside a pool of 2 distinct: not promoted
    ]
    top, pool = _run(items, pool=2, k=2)
    assert [c.doc for c, _ in pool] == ["a.txt", "d.txt"]
    assert [c.doc for c, _ in top] == ["a.txt", "d.txt"]
    top, pool = _run(items, pool=3, k=2)
    assert [c.doc for c, _ in top] == ["b.txt", "a.txt"]
    kept, _ = _run(items, weight=0.0, k=4, skip_copies=False)
    assert [c.doc for c, _ in kept] == ["a.txt", "c.txt", "d.txt", "b.txt"]
