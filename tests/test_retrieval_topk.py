"""Top-k retrieval gives what scoring every chunk gave: BM25 postings top-k, candidate fusion, and
the approximate (HNSW) index above the size threshold."""

from __future__ import annotations

import random
import re
from pathlib import Path

import faiss
import numpy as np
import pytest

from qa.chunking import ChunkingParams
from qa.copies import evidence, query_words, same_evidence
from qa.corpus import load_articles
from qa.dense_index import build_dense_index
from qa.evaluation import load_items
from qa.rerank import top_distinct
from qa.retrieval import Retriever
from qa.store import Index, load_index, update_index
from tests.conftest import REPO, SEED_FILE
from tests.fakes import FakeEmbedder

DEV_QA = REPO.parent / "shared" / "dev_qa.jsonl"


def _questions() -> list[str]:
    """The seed article's questions: tests/eval/seed_qa.jsonl, and ../shared/dev_qa.jsonl."""
    questions = [i.question for i in load_items(REPO / "tests" / "eval" / "seed_qa.jsonl")]
    if DEV_QA.is_file():
        questions += [i.question for i in load_items(DEV_QA)]
    return questions


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article and 60 articles recombined from its sentences: about 150 chunks, more
    than one candidate list holds."""
    seeds = tmp_path_factory.mktemp("archive")
    text = SEED_FILE.read_text(encoding="utf-8")
    (seeds / SEED_FILE.name).write_text(text, encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 30]
    rng = random.Random(7)
    for n in range(60):
        body = " ".join(rng.choices(sentences, k=rng.randint(4, 10)))
        (seeds / f"a{n:03d}.txt").write_text(f"Artikel {n}\n\n{body}", encoding="utf-8")
    return seeds


def _index(seeds: Path, index_dir: Path) -> Index:
    update_index(index_dir, load_articles(seeds), FakeEmbedder(), ChunkingParams(600, 120))
    return load_index(index_dir)


@pytest.fixture(scope="module")
def exact(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Index:
    return _index(archive, tmp_path_factory.mktemp("exact") / "idx")


def _all_chunk_top(retriever: Retriever, question: str, k: int) -> list[int]:
    """The fusion before top-k: every chunk scored, then a stable argsort."""
    return np.argsort(-retriever.scores(question), kind="stable")[:k].tolist()


def _rows(index: Index, hits) -> list[int]:
    row = {c.id: i for i, c in enumerate(index.chunks)}
    return [row[h.chunk.id] for h in hits]


def test_lexical_top_k_is_the_argsort_of_every_score(exact: Index) -> None:
    lexical = exact.lexical
    for question in [*_questions(), "Pyongyang", "AS", "yang dan di", ""]:
        full = lexical.scores(question)
        for k in (1, 5, 40, 10_000):
            rows, scores = lexical.top(question, k)
            expected = np.argsort(-full, kind="stable")[: min(k, int((full > 0).sum()))]
            assert rows.tolist() == expected.tolist(), question
            assert np.array_equal(scores, full[expected]), "bit for bit bm25s's scores"
        matched, matched_scores = lexical.matches(question)
        assert matched.tolist() == np.flatnonzero(full).tolist()
        assert np.array_equal(matched_scores, full[matched])


@pytest.mark.parametrize("dense_weight", [0.0, 0.3, 0.7])
@pytest.mark.parametrize("depth", [100, 20])
def test_top_k_fusion_matches_all_chunk_fusion(
    exact: Index, dense_weight: float, depth: int
) -> None:
    assert len(exact.chunks) > 100, "the candidate lists must leave chunks out"
    retriever = Retriever(
        exact, FakeEmbedder(), dense_weight, depth, skip_copies=False, rerank_weight=0.0
    )
    for question in _questions():
        hits = retriever.search(question, 5)
        assert _rows(exact, hits) == _all_chunk_top(retriever, question, 5), question
        fused = retriever.scores(question)
        assert [h.score for h in hits] == pytest.approx(
            fused[_rows(exact, hits)].tolist(), abs=1e-6
        )


@pytest.mark.parametrize("depth", [100, 20])
def test_copies_of_a_better_passage_give_their_places_to_other_passages(
    exact: Index, depth: int
) -> None:
    """The archive's articles repeat the seed's sentences: the top 5 is the all-chunk ranking
    with every chunk whose best sentence a better chunk of another article has left out."""
    retriever = Retriever(exact, FakeEmbedder(), 0.3, depth, rerank_weight=0.0)
    changed = 0
    for question in _questions():
        fused = retriever.scores(question)
        words = query_words(question)
        expected, taken = [], []
        for row in np.argsort(-fused, kind="stable"):
            if fused[row] <= 0.0 or len(expected) == 5:
                break
            chunk = exact.chunks[row]
            found = evidence(chunk.text, words)
            if found and any(d != chunk.doc and same_evidence(found, e) for e, d in taken):
                continue
            taken.append((found, chunk.doc))
            expected.append(int(row))
        hits = retriever.search(question, 5)
        assert _rows(exact, hits)[: len(expected)] == expected, question
        changed += expected != _all_chunk_top(retriever, question, 5)
        best = [evidence(h.chunk.text, words) for h in hits if h.score > 0]
        pairs = {(b, h.chunk.doc) for b, h in zip(best, hits, strict=False) if b}
        assert len({b for b, _ in pairs}) == len(pairs), "no sentence twice from two articles"
    assert changed >= 5, "the archive has copies: the rule must change some top 5s"


@pytest.mark.parametrize("depth", [100, 20])
def test_the_rerank_reorders_the_all_chunk_pool(exact: Index, depth: int) -> None:
    """With the rerank (the default), the top 5 is qa.rerank's reordering of the all-chunk
    ranking's first distinct passages: the candidate lists are deepened until they hold it."""
    retriever = Retriever(exact, FakeEmbedder(), 0.3, depth)
    changed = 0
    for question in _questions():
        fused = retriever.scores(question)
        ranked = [int(r) for r in np.argsort(-fused, kind="stable") if fused[r] > 0.0]
        expected, _ = top_distinct(
            ranked, exact.chunks.__getitem__, lambda r, f=fused: float(f[r]), question, 5
        )
        got = _rows(exact, retriever.search(question, 5))
        assert got[: len(expected)] == expected, question
        plain = Retriever(exact, FakeEmbedder(), 0.3, depth, rerank_weight=0.0)
        changed += got != _rows(exact, plain.search(question, 5))
    assert changed >= 1, "the rerank must change some top 5s"


def test_search_with_nothing_found_returns_the_first_chunks_like_the_full_sort(
    exact: Index,
) -> None:
    retriever = Retriever(exact, None, 0.3)
    hits = retriever.search("zzzz qqqq", 5)
    assert _rows(exact, hits) == [0, 1, 2, 3, 4] and all(h.score == 0.0 for h in hits)


def test_approximate_index_above_the_threshold_finds_the_same_top_hits(
    archive: Path, exact: Index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_ANN_THRESHOLD", "50")
    approximate = _index(archive, tmp_path / "idx")
    assert isinstance(approximate.dense, faiss.IndexHNSWFlat)
    assert isinstance(exact.dense, faiss.IndexFlatIP)
    assert approximate.dense.hnsw.efSearch >= 100, "efSearch is saved with the file"
    assert np.allclose(approximate.vectors(), exact.vectors()), "HNSW keeps exact vectors"
    embedder = FakeEmbedder()
    for question in _questions():
        query = embedder.embed([question])
        # The same similarities: recombined articles repeat chunks, so equal ones may swap rows.
        found, expected = approximate.dense.search(query, 10), exact.dense.search(query, 10)
        assert found[0] == pytest.approx(expected[0], abs=1e-6)
        assert set(found[1][0][found[0][0] > expected[0][0][-1] + 1e-6]) <= set(expected[1][0])
        hits = Retriever(approximate, embedder, 0.3).search(question, 5)
        assert _rows(approximate, hits) == _rows(
            exact, Retriever(exact, embedder, 0.3).search(question, 5)
        )


def test_threshold_picks_the_index_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = np.eye(8, dtype=np.float32)
    assert isinstance(build_dense_index(vectors), faiss.IndexFlatIP)
    assert isinstance(build_dense_index(vectors, threshold=8), faiss.IndexHNSWFlat)
    monkeypatch.setenv("QA_ANN_THRESHOLD", "4")
    assert isinstance(build_dense_index(vectors), faiss.IndexHNSWFlat)
    assert build_dense_index(np.zeros((0, 8), dtype=np.float32)).ntotal == 0
