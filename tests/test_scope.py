"""Scopes: parsing and checking them, and retrieval that only considers the scope's passages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.article_meta import ArticleMeta
from qa.dense_index import build_dense_index
from qa.dense_index import search as dense_search
from qa.engine import Engine
from qa.errors import ScopeError
from qa.scope import Scope
from tests.conftest import SEED_FILE
from tests.fakes import FakeEmbedder, FakeGenerator

FLOOD = (
    "---\ntitle: Banjir melanda Semarang\ndate: 2019-01-05\nsource: Kompas\n---\n"
    "Banjir melanda Semarang\n\nSebanyak 1.250 warga Semarang mengungsi ke masjid setelah "
    "banjir merendam rumah mereka. Putin tidak disebut di sini.\n"
)


@pytest.fixture
def two_articles(seeds: Path) -> Path:
    """The seed article (dated from its file) and an older flood article from Kompas."""
    (seeds / "001_banjir.txt").write_text(FLOOD, encoding="utf-8")
    return seeds


@pytest.fixture
def engine(settings, two_articles: Path) -> Engine:
    engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    engine.reindex()
    return engine


def test_parse_reads_dates_and_refuses_bad_ones() -> None:
    scope = Scope.parse(["a.txt", "a.txt", " "], "19 Juni 2024", "2024-12-31", "  DW ")
    assert scope == Scope(("a.txt",), "2024-06-19", "2024-12-31", "DW")
    with pytest.raises(ScopeError, match="--since 'kemarin' is not a date"):
        Scope.parse(since="kemarin")
    with pytest.raises(ScopeError, match="--since 2024-02-01 is after --until 2024-01-01"):
        Scope.parse(since="2024-02-01", until="2024-01-01")
    assert Scope.parse().everything


def test_matches_dates_inclusively_and_sources_case_blind() -> None:
    dw = ArticleMeta(date="2024-06-19", source="DW")
    assert Scope(since="2024-06-19", until="2024-06-19", source="dw").matches("a", dw)
    assert not Scope(since="2024-06-20").matches("a", dw)
    assert not Scope(source="Kompas").matches("a", dw)
    assert not Scope(since="2000-01-01").matches("a", ArticleMeta())  # undated: out of range
    assert Scope(docs=("a",)).matches("a", ArticleMeta())


def test_resolve_names_the_unknown_article(engine: Engine) -> None:
    with pytest.raises(ScopeError, match=r"no article 'nope\.txt' in the index"):
        engine.scope_rows(Scope(docs=("nope.txt",)))
    with pytest.raises(ScopeError, match="no indexed article matches source Reuters"):
        engine.scope_rows(Scope(source="Reuters"))
    # An id without its extension, when only one article has it.
    assert engine.scope_rows(Scope(docs=("001_banjir",))).docs == ("001_banjir.txt",)


def test_retrieval_only_returns_the_scopes_passages(engine: Engine) -> None:
    question = "Berapa warga Semarang mengungsi?"
    assert engine.retrieve(question, k=1)[0].chunk.doc == "001_banjir.txt"
    seed = Scope(docs=(SEED_FILE.name,))
    hits = engine.retrieve(question, k=3, scope=seed)
    assert hits and {h.chunk.doc for h in hits} == {SEED_FILE.name}
    old = engine.retrieve(question, k=20, scope=Scope(until="2020-01-01"))
    assert {h.chunk.doc for h in old} == {"001_banjir.txt"} and len(old) == 1


def test_a_scope_that_fits_goes_whole_into_the_prompt(engine: Engine) -> None:
    generator = engine.generator
    assert isinstance(generator, FakeGenerator)
    answer = engine.answer("Berapa warga Semarang mengungsi?", scope=Scope(source="kompas"))
    assert "1.250" in answer.answer and answer.sources[0].doc == "001_banjir.txt"
    prompt = generator.prompts[-1]
    assert "Semarang" in prompt and "Kim Jong Un" not in prompt  # only the scope's article


def test_a_scoped_question_about_another_article_is_refused(engine: Engine) -> None:
    answer = engine.answer("Berapa warga Semarang mengungsi?", scope=Scope(docs=(SEED_FILE.name,)))
    assert answer.refused or all(s.doc == SEED_FILE.name for s in answer.sources)
    assert "1.250" not in answer.answer


def test_retrieval_mode_searches_only_the_scope(settings, two_articles: Path) -> None:
    from dataclasses import replace

    engine = Engine(
        replace(settings, context_mode="retrieve"),
        embedder=FakeEmbedder(),
        generator=FakeGenerator(),
    )
    engine.reindex()
    answer = engine.answer("Berapa warga Semarang mengungsi?", scope=Scope(since="2020-01-01"))
    assert all(s.doc == SEED_FILE.name for s in answer.sources)
    assert "1.250" not in answer.answer


def test_dense_search_over_rows_matches_the_full_search_restricted() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[7] + 0.1
    rows = np.arange(0, 300, 3, dtype=np.int64)
    expected = rows[np.argsort(-(vectors[rows] @ query), kind="stable")][:5]
    for threshold in (10_000, 1):  # exact index; HNSW
        index = build_dense_index(vectors, threshold=threshold)
        _, direct = dense_search(index, query, 5, rows)
        assert list(direct) == list(expected)
        import qa.dense_index as dense_index

        small = dense_index.DIRECT_SCOPE
        dense_index.DIRECT_SCOPE = 0  # through FAISS's selector
        try:
            _, selected = dense_search(index, query, 5, rows)
        finally:
            dense_index.DIRECT_SCOPE = small
        assert set(selected) <= set(rows.tolist())
        assert list(selected) == list(expected)


def test_cli_filters_and_their_mistakes(cli, two_articles: Path) -> None:
    assert cli("index", "--no-prefill")[0] == 0
    code, out, _ = cli("ask", "--json", "--source", "Kompas", "Berapa warga Semarang mengungsi?")
    data = json.loads(out)
    assert code == 0 and data["scope"] == {"source": "Kompas"}
    assert {s["doc"] for s in data["sources"]} == {"001_banjir.txt"}
    for args, message in (
        (("--doc", "missing.txt"), "no article 'missing.txt' in the index"),
        (("--since", "32/13/2024"), "--since '32/13/2024' is not a date"),
        (("--since", "2024-02-01", "--until", "2024-01-01"), "is after --until"),
    ):
        code, out, err = cli("ask", *args, "Siapa Putin?")
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and message in err


def test_batch_lines_carry_their_own_scope(cli, two_articles: Path, tmp_path: Path) -> None:
    assert cli("index", "--no-prefill")[0] == 0
    batch = tmp_path / "q.jsonl"
    lines = [
        {"id": "a", "q": "Berapa warga Semarang mengungsi?", "until": "2020-01-01"},
        {"id": "b", "q": "Berapa warga Semarang mengungsi?", "doc": "nope.txt"},
        {"id": "c", "q": "Berapa warga Semarang mengungsi?", "doc": 3},
    ]
    batch.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    code, out, _ = cli("ask", "--json", "--batch", str(batch))
    a, b, c = (json.loads(line) for line in out.splitlines())
    assert code == 1
    assert a["scope"] == {"until": "2020-01-01"} and a["sources"][0]["doc"] == "001_banjir.txt"
    assert "no article 'nope.txt'" in b["error"] and "'doc' must be" in c["error"]


def test_articles_lists_ids_dates_and_sources(cli, two_articles: Path) -> None:
    assert cli("index", "--no-prefill")[0] == 0
    code, out, _ = cli("articles", "--source", "kompas")
    assert code == 0 and out.split()[:3] == ["001_banjir.txt", "2019-01-05", "Kompas"]


def test_malformed_front_matter_indexes_nothing(cli, seeds: Path, tmp_path: Path) -> None:
    assert cli("index", "--no-prefill")[0] == 0
    (seeds / "002_bad.txt").write_text("---\ntitle: [oops\n---\nIsi.\n", encoding="utf-8")
    (seeds / "003_good.txt").write_text("Berita baik\n\nSemua baik-baik saja.\n", "utf-8")
    code, out, err = cli("index", "--no-prefill")
    assert code == 2 and err.count("\n") == 1
    assert "002_bad.txt: its front matter is not valid YAML" in err
    code, out, _ = cli("articles")
    assert "003_good.txt" not in out and "002_bad.txt" not in out  # the old index, whole
