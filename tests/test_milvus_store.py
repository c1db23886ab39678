"""The Milvus store on the real pymilvus client and embedded Milvus Lite (no server, no mocks):
indexing, answering, updates, deletes, an interrupted ``qa index``, a second writer, filters by
article, moving a files index over, and the bad inputs (issue 33).

One Lite file serves the module (each test its own index name, so its own collections): opening
Lite costs seconds, and one process can hold a Lite file only once anyway.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.config import load_settings
from qa.engine import Engine
from qa.errors import IndexBusyError, IndexMismatchError, InputError, StoreUnreachableError
from qa.scope import Scope
from qa.stores import open_store
from qa.stores.milvus import MilvusStore, WriterLock, from_files
from qa.stores.milvus_schema import create_collection
from tests.conftest import SEED_FILE
from tests.fakes import FakeEmbedder, FakeGenerator

FACQA = Path(__file__).resolve().parents[2] / "shared" / "facqa-dev"
SAMPLE = 12  # facqa articles indexed


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"milvus:{tmp_path_factory.mktemp('milvus') / 'qa.db'}"


def make_settings(tmp_path: Path, seeds: Path, store: str, name: str, **extra):
    return load_settings(
        environ={},
        seeds_dir=seeds,
        index_dir=tmp_path / name,
        store=store,
        cache_dir=tmp_path / "cache",
        data_dir=tmp_path / "data",
        **extra,
    )


def engine_on(settings, embedder: FakeEmbedder | None = None) -> Engine:
    return Engine(settings, embedder=embedder or FakeEmbedder(), generator=FakeGenerator())


@pytest.fixture
def facqa_seeds(tmp_path: Path) -> Path:
    if not (FACQA / "articles").is_dir():
        pytest.skip("../shared/facqa-dev is not here")
    seeds = tmp_path / "facqa"
    seeds.mkdir()
    for path in sorted((FACQA / "articles").iterdir())[:SAMPLE]:
        shutil.copy(path, seeds / path.name)
    return seeds


def facqa_questions(seeds: Path) -> list[dict]:
    docs = {p.name for p in seeds.iterdir()}
    rows = [json.loads(line) for line in (FACQA / "questions.jsonl").open(encoding="utf-8")]
    return [r for r in rows if r.get("doc") in docs]


def test_seed_article_indexes_answers_and_ranks_as_the_files_store(
    tmp_path: Path, seeds: Path, lite: str
) -> None:
    files = engine_on(make_settings(tmp_path, seeds, "files", "seed", context_mode="retrieve"))
    milvus = engine_on(make_settings(tmp_path, seeds, lite, "seed", context_mode="retrieve"))
    assert files.reindex().chunks == milvus.reindex().chunks > 3
    for query in ["Putin Pyongyang", "Kim Jong Un karpet merah", "kerja sama militer", "AS"]:
        a, b = files.retrieve(query, k=5), milvus.retrieve(query, k=5)
        assert [h.chunk for h in a] == [h.chunk for h in b], query
        assert np.allclose([h.score for h in a], [h.score for h in b], atol=1e-3), query
    answer = milvus.answer("Kapan Putin terakhir kali mengunjungi Pyongyang?")
    assert answer.sources and not answer.refused
    article = SEED_FILE.read_text(encoding="utf-8")
    for source in answer.sources:  # citations point into the article as it is
        assert article[source.start : source.end] == source.text
    assert milvus.index_info().chunks == files.index_info().chunks
    assert milvus.article_meta(answer.sources[0].doc) == files.article_meta(answer.sources[0].doc)


def test_whole_corpus_prompt_is_the_same_on_both_stores(
    tmp_path: Path, seeds: Path, lite: str
) -> None:
    files = engine_on(make_settings(tmp_path, seeds, "files", "whole"))
    milvus = engine_on(make_settings(tmp_path, seeds, lite, "whole"))
    files.reindex(), milvus.reindex()
    question = "Siapa yang menggelar karpet merah untuk Putin?"
    a, b = files.ask(question), milvus.ask(question)
    assert [(p.doc, p.start, p.end) for p in a.passages] == [
        (p.doc, p.start, p.end) for p in b.passages
    ]
    assert np.allclose([p.score for p in a.passages], [p.score for p in b.passages], atol=1e-3)
    assert a.answer.answer == b.answer.answer


def test_facqa_sample_recall_matches_files_store_and_filters_by_article(
    tmp_path: Path, facqa_seeds: Path, lite: str
) -> None:
    files = engine_on(make_settings(tmp_path, facqa_seeds, "files", "facqa-index"))
    milvus = engine_on(make_settings(tmp_path, facqa_seeds, lite, "facqa-index"))
    files.reindex(), milvus.reindex()
    questions = facqa_questions(facqa_seeds)
    assert len(questions) >= 15
    same_top, found = 0, {"files": 0, "milvus": 0}
    for q in questions:
        a, b = files.retrieve(q["q"], k=5), milvus.retrieve(q["q"], k=5)
        same_top += a[0].chunk == b[0].chunk
        found["files"] += any(h.chunk.doc == q["doc"] for h in a)
        found["milvus"] += any(h.chunk.doc == q["doc"] for h in b)
    assert found["milvus"] == found["files"]
    assert same_top >= 0.9 * len(questions)
    searcher = milvus._load().retriever
    only = {questions[0]["doc"], questions[-1]["doc"]}
    hits = searcher.search_docs(questions[0]["q"], 5, docs=only)
    assert hits and {h.chunk.doc for h in hits} <= only
    assert searcher.search_docs(questions[0]["q"], 5, docs=set()) == []
    # A scope (qa ask --doc) on the Milvus store: only its article's chunks compete.
    other = questions[-1]["doc"]
    scoped = milvus.search(questions[0]["q"], 5, Scope(docs=(other,)))
    assert scoped and {h.chunk.doc for h in scoped} == {other}


def test_update_embeds_only_new_and_changed_articles_and_drops_removed(
    tmp_path: Path, facqa_seeds: Path, lite: str
) -> None:
    settings = make_settings(tmp_path, facqa_seeds, lite, "updates")
    embedder = FakeEmbedder()
    engine = engine_on(settings, embedder)
    first = engine.reindex()
    assert len(first.added) == SAMPLE and first.embedded == first.chunks
    names = sorted(p.name for p in facqa_seeds.iterdir())
    (facqa_seeds / names[0]).unlink()
    changed = facqa_seeds / names[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nTambahan: Zamrud Khatulistiwa.\n")
    (facqa_seeds / "baru.txt").write_text("Berita baru\n\nKomodo hidup di Pulau Rinca.\n")
    embedder.calls.clear()
    report = engine.reindex()
    assert report.removed == (names[0],)
    assert report.updated == (names[1],)
    assert report.added == ("baru.txt",)
    assert sum(embedder.calls) == report.embedded < report.chunks
    docs = {h.chunk.doc for h in engine.retrieve("Komodo Pulau Rinca", k=3)}
    assert "baru.txt" in docs
    assert all(h.chunk.doc != names[0] for h in engine.retrieve("Srinagar", k=10))
    assert any("Zamrud" in h.chunk.text for h in engine.retrieve("Zamrud Khatulistiwa", k=3))
    again = engine.reindex()
    assert not again.written and again.kept and not again.embedded
    store = open_store(settings)
    client = store.client()
    versions = [c for c in client.list_collections() if c.startswith(store.alias + "__v")]
    assert len(versions) == 1  # the old version was dropped once the alias moved


class Interrupting(FakeEmbedder):
    """Ctrl-C after a few batches."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def embed(self, texts):  # type: ignore[no-untyped-def]
        if len(self.calls) >= self.after:
            raise KeyboardInterrupt
        return super().embed(texts)


def test_interrupted_index_leaves_the_old_version_answering(
    tmp_path: Path, facqa_seeds: Path, lite: str
) -> None:
    settings = make_settings(tmp_path, facqa_seeds, lite, "interrupt", context_mode="retrieve")
    engine = engine_on(settings)
    engine.reindex()
    before = [h.chunk for h in engine.retrieve("minyak Sumatera Selatan", k=5)]
    for path in facqa_seeds.iterdir():
        path.write_text(path.read_text(encoding="utf-8") + "\nDiperbarui.\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        engine_on(settings, Interrupting(after=0)).reindex()
    fresh = engine_on(settings)
    assert [h.chunk for h in fresh.retrieve("minyak Sumatera Selatan", k=5)] == before
    store = open_store(settings)
    assert isinstance(store, MilvusStore)
    client = store.client()
    live = store.live(client)
    assert versions(client, store) == [live]
    # A kill leaves its unfinished version behind; the next `qa index` drops it.
    info = store.info(client, live)
    create_collection(client, f"{store.alias}__v1_1_1", info, lite=True)
    client.create_collection("someone_elses", dimension=4)
    assert len(versions(client, store)) == 2
    assert fresh.reindex().written
    assert len(versions(client, store)) == 1 and store.live(client) != live
    assert "someone_elses" in client.list_collections()


def versions(client, store: MilvusStore) -> list[str]:
    return sorted(c for c in client.list_collections() if c.startswith(store.alias + "__v"))


def test_a_second_writer_is_refused(tmp_path: Path, seeds: Path, lite: str) -> None:
    settings = make_settings(tmp_path, seeds, lite, "locked")
    store = open_store(settings)
    assert isinstance(store, MilvusStore)
    client = store.client()
    with store.write_lock(client), pytest.raises(IndexBusyError, match="another `qa index`"):
        engine_on(settings).reindex()
    assert engine_on(settings).reindex().written  # the lock is gone with its holder


def test_a_servers_writer_lock_refuses_a_second_writer(
    tmp_path: Path, seeds: Path, lite: str
) -> None:
    """A server's lock (an alias on the writer's new collection), run on Lite's aliases."""
    settings = make_settings(tmp_path, seeds, lite, "aliaslock")
    engine_on(settings).reindex()
    store = open_store(settings)
    assert isinstance(store, MilvusStore)
    client = store.client()
    live = store.live(client)
    info = store.info(client, live)
    first, second = f"{store.alias}__v1_1_1", f"{store.alias}__v2_2_2"
    create_collection(client, first, info, lite=True)
    create_collection(client, second, info, lite=True)
    holder = WriterLock(store, client, server=True)
    holder.take(first, live)
    with pytest.raises(IndexBusyError, match="another `qa index`"):
        WriterLock(store, client, server=True).take(second, live)
    holder.release()
    late = WriterLock(store, client, server=True)
    with pytest.raises(IndexBusyError, match="meanwhile"):
        late.take(second, "an older version")
    late.release()
    WriterLock(store, client, server=True).take(second, live)  # free again


def test_from_files_moves_an_index_without_embedding(
    tmp_path: Path, seeds: Path, lite: str
) -> None:
    files = engine_on(make_settings(tmp_path, seeds, "files", "moved", context_mode="retrieve"))
    files.reindex()
    settings = make_settings(tmp_path, seeds, lite, "moved", context_mode="retrieve")
    _, articles, chunks = from_files(settings)
    assert articles == 1 and chunks == files.index_info().chunks
    embedder = FakeEmbedder()
    milvus = engine_on(settings, embedder)
    a, b = files.retrieve("Putin Pyongyang", k=5), milvus.retrieve("Putin Pyongyang", k=5)
    assert [h.chunk for h in a] == [h.chunk for h in b]
    assert not milvus.reindex().written  # the moved index is up to date: nothing embedded
    assert sum(embedder.calls) == 1  # the question only


def test_collection_of_another_embedder_is_one_clear_error(
    tmp_path: Path, seeds: Path, lite: str
) -> None:
    settings = make_settings(tmp_path, seeds, lite, "mismatch")
    engine_on(settings, FakeEmbedder(name="embedder-a")).reindex()
    with pytest.raises(IndexMismatchError, match="built with embedder-a"):
        engine_on(settings, FakeEmbedder(name="embedder-b")).retrieve("Putin")
    assert engine_on(settings, FakeEmbedder(name="embedder-a")).retrieve("Putin")  # not lost


def test_cli_bad_stores_are_one_line_and_non_zero(cli, tmp_path: Path) -> None:
    code, _, err = cli("ask", "Siapa?", "--store", "http://127.0.0.1:9")
    assert code == 2 and err.count("\n") == 1 and "cannot reach Milvus" in err, err
    code, _, err = cli("ask", "Siapa?", "--store", "bogus")
    assert code == 2 and err.count("\n") == 1 and "unknown store" in err
    code, _, err = cli("index", "--store", "milvus:" + str(tmp_path / "no" / "x.db"))
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err
    code, _, err = cli("index", "--from-files")
    assert code == 2 and "--store milvus:" in err


def test_store_spec_is_checked_when_settings_load(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown store"):
        load_settings(environ={"QA_STORE": "mongodb://x"})
    with pytest.raises(InputError, match=r"\.db file"):
        MilvusStore.from_settings(load_settings(environ={}, store="milvus:x.sqlite"))
    with pytest.raises(StoreUnreachableError):
        MilvusStore.from_settings(load_settings(environ={}, store="http://127.0.0.1:9")).client()


def test_a_lite_file_open_in_another_process_is_one_clear_line(cli, tmp_path: Path) -> None:
    db = tmp_path / "held.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        code, _, err = cli("ask", "Siapa?", "--store", f"milvus:{db}")
    finally:
        holder.kill()
        holder.wait()
    assert code == 2 and err.count("\n") == 1 and "open in another process" in err, err


HOLD = """
import sys, time
from pymilvus import MilvusClient
client = MilvusClient(uri=sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_a_refused_token_is_one_clear_line(tmp_path: Path) -> None:
    """What a Milvus server answers a wrong token (its error, as pymilvus raises it): no server
    with authentication runs here, so the answer is built from pymilvus's own exception type."""
    from pymilvus.exceptions import MilvusException

    from qa.errors import StoreAuthError

    store = MilvusStore.from_settings(load_settings(environ={}, store="https://milvus.example"))
    refused = MilvusException(
        code=1800, message="auth check failure, please check username and password are correct"
    )
    failure = store.failure(refused)
    assert isinstance(failure, StoreAuthError) and "QA_MILVUS_TOKEN" in str(failure)
    assert "\n" not in str(failure)


def test_each_qa_run_is_a_new_process_that_finds_the_index(tmp_path: Path, seeds: Path) -> None:
    """``qa index`` then ``qa index`` again then a question, each its own process (Milvus Lite
    hands a new process its collections released, not loaded)."""
    db = tmp_path / "runs.db"

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", RUN, str(db), str(seeds), str(tmp_path), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run("index").startswith("index written")
    assert run("index").startswith("index up to date")
    (seeds / "baru.txt").write_text("Berita baru\n\nKomodo hidup di Pulau Rinca.\n")
    assert "added 1" in run("index")
    assert run("retrieve", "Komodo Rinca") == "baru.txt"


RUN = """
import sys
from pathlib import Path
from qa.config import load_settings
from qa.engine import Engine
from tests.fakes import FakeEmbedder, FakeGenerator
db, seeds, tmp, command, *rest = sys.argv[1:]
settings = load_settings(environ={}, seeds_dir=Path(seeds), index_dir=Path(tmp) / "runs",
                         store="milvus:" + db, cache_dir=Path(tmp) / "cache")
engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
if command == "index":
    print(engine.reindex().summary())
else:
    print(engine.retrieve(rest[0], k=1)[0].chunk.doc)
"""
