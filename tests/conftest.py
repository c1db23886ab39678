from __future__ import annotations

from pathlib import Path

import pytest

import qa.cli
from qa.config import load_settings
from qa.engine import Engine
from tests.fakes import FakeEmbedder, FakeGenerator

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "seeds"
SEED_FILE = SEED_DIR / "000_3f6abac00ed53627.txt"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A seeds directory holding a copy of the real seed article."""
    d = tmp_path / "seeds"
    d.mkdir()
    (d / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    return d


@pytest.fixture
def settings(tmp_path: Path, seeds: Path):
    return load_settings(
        environ={},
        seeds_dir=seeds,
        index_dir=tmp_path / "indexes",
        cache_dir=tmp_path / "cache",
        data_dir=tmp_path / "data",
    )


@pytest.fixture
def fake_engine(settings) -> Engine:
    """An engine with the fake embedder and generator over an indexed copy of the seed article."""
    engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    engine.reindex()
    return engine


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeds: Path):
    """`qa ...` in-process on the fake models; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        qa.cli,
        "make_engine",
        lambda s: Engine(s, embedder=FakeEmbedder(), generator=FakeGenerator()),
    )

    def run(*args: str, index: Path | None = None) -> tuple[int, str, str]:
        import contextlib
        import io

        out, err = io.StringIO(), io.StringIO()
        where = ["--index", str(index or tmp_path / "idx"), "--seeds", str(seeds)]
        argv = [*args[:1], *where, *args[1:]] if args else ["--help"]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = qa.cli.main(argv)
        return code, out.getvalue(), err.getvalue()

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Milvus tests run last: pymilvus starts gRPC threads in the test process, and a child
    forked after that (tests/test_reliability.py sets a file-size limit in ``preexec_fn``)
    aborts in gRPC's fork handler before it can exec."""
    items.sort(key=lambda item: "milvus" in item.nodeid.split("::")[0])
