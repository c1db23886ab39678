"""qa.copies: another article's copy of the best sentence takes no top-k place."""

from __future__ import annotations

from qa.chunking import Chunk
from qa.copies import evidence, query_words, same_evidence, without_copies

WIRE = "Putin tiba di Pyongyang pada Rabu dini hari untuk kunjungan kenegaraan."
QUESTION = "Kapan Putin tiba di Pyongyang?"


def _chunk(doc: str, ordinal: int, text: str) -> Chunk:
    return Chunk(doc, doc, ordinal, 0, len(text), text)


def test_evidence_is_the_sentence_holding_most_query_words_normalised() -> None:
    text = f"Kim menyambutnya di bandara. {WIRE.upper()}  Cuaca cerah."
    assert evidence(text, query_words(QUESTION)) == " ".join(WIRE.casefold().split())
    assert evidence("Cuaca cerah hari ini.", query_words(QUESTION)) == ""


def test_a_copy_from_another_article_is_skipped_and_the_rest_kept_in_order() -> None:
    ranked = [
        _chunk("a.txt", 0, f"{WIRE} Kim menyambutnya."),
        _chunk("a.txt", 1, f"{WIRE} Overlap of the same article stays."),
        _chunk("b.txt", 0, f"Harga beras naik. {WIRE}"),  # a reprint: skipped
        _chunk("c.txt", 0, "Putin bertemu Kim di Pyongyang, lalu pulang."),  # other evidence
        _chunk("d.txt", 0, "Cuaca cerah."),  # no query word: never a copy
        _chunk("e.txt", 0, "Cuaca cerah."),
    ]
    kept = list(without_copies(ranked, lambda c: c, query_words(QUESTION)))
    assert [c.id for c in kept] == ["a.txt#0", "a.txt#1", "c.txt#0", "d.txt#0", "e.txt#0"]


def test_the_walk_is_lazy() -> None:
    seen = []

    def chunk_of(c: Chunk) -> Chunk:
        seen.append(c.id)
        return c

    ranked = [_chunk(f"{n}.txt", 0, f"Berita {n}: {WIRE}") for n in range(100)]
    first = next(without_copies(iter(ranked), chunk_of, query_words(QUESTION)))
    assert first.id == "0.txt#0" and seen == ["0.txt#0"]


def test_a_copy_glued_to_another_sentence_or_a_byline_is_still_a_copy() -> None:
    ranked = [
        _chunk("a.txt", 0, f"{WIRE} Kim menyambutnya."),
        _chunk("b.txt", 0, f"Uang itu mengalir ke Bpk. {WIRE}"),  # not split at "Bpk.": a copy
        _chunk("c.txt", 0, f"(AFP/Reuters) {WIRE}"),
        _chunk("d.txt", 0, "Putin tiba di Pyongyang."),  # short: held by the wire, not a copy
    ]
    kept = list(without_copies(ranked, lambda c: c, query_words(QUESTION)))
    assert [c.id for c in kept] == ["a.txt#0", "d.txt#0"]
    assert same_evidence("putin tiba di pyongyang.", "putin tiba di pyongyang.")
    assert not same_evidence("putin tiba.", "kemarin putin tiba.")
