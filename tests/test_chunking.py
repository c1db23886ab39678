from __future__ import annotations

import itertools

from qa.chunking import ChunkingParams, chunk_article, sentence_spans
from qa.corpus import read_article
from tests.conftest import SEED_FILE


def _article(text: str, doc: str = "a.txt"):
    from qa.corpus import Article

    return Article(doc=doc, title="T", text=text, sha256="x")


def test_offsets_round_trip_on_the_seed_article() -> None:
    article = read_article(SEED_FILE, SEED_FILE.name)
    chunks = chunk_article(article, ChunkingParams(600, 120))
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert len(chunk.text) <= 600
    # every sentence of the article is inside some chunk
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for span in sentence_spans(article.text):
        assert span.start in covered and span.end - 1 in covered


def test_sentences_split_on_indonesian_and_quoted_punctuation() -> None:
    text = "Dia berkata: “Ini penting.” Lalu pergi! Apa lagi? Dr. Budi datang. Nilai 2.5 naik."
    sentences = [text[s.start : s.end] for s in sentence_spans(text)]
    assert sentences == [
        "Dia berkata: “Ini penting.”",
        "Lalu pergi!",
        "Apa lagi?",
        "Dr. Budi datang.",
        "Nilai 2.5 naik.",
    ]


def test_consecutive_chunks_overlap_by_whole_sentences() -> None:
    sentences = [f"Kalimat nomor {i} berisi beberapa kata tambahan di sini." for i in range(30)]
    article = _article(" ".join(sentences))
    chunks = chunk_article(article, ChunkingParams(300, 100))
    assert len(chunks) > 3
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start < prev.end, "chunks should overlap"
        assert article.text[nxt.start : prev.end].startswith("Kalimat nomor")


def test_a_sentence_longer_than_a_chunk_is_cut_at_words() -> None:
    long = "kata " * 200
    article = _article(long.strip() + ".")
    chunks = chunk_article(article, ChunkingParams(150, 0))
    assert all(len(c.text) <= 150 for c in chunks)
    assert all(c.text == article.text[c.start : c.end] for c in chunks)
    assert chunks[-1].end == len(article.text)


def test_a_heading_starts_a_new_chunk() -> None:
    text = "Paragraf pertama cukup panjang. " * 6 + "\n\nJudul Bagian\n\nIsi bagian baru di sini."
    chunks = chunk_article(_article(text), ChunkingParams(400, 80))
    assert any(c.text.startswith("Judul Bagian") for c in chunks)
    assert not any(c.text.rstrip().endswith("Judul Bagian") for c in chunks)
