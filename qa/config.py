"""Settings: one frozen dataclass; defaults, then ``QA_*`` environment variables, then flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from qa.errors import InputError
from qa.stores.specs import store_name

# Nothing in this process may reach a model hub: set before any HF library is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

APP_NAME = "qa-news"


def _default_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME)


def _default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


@dataclass(frozen=True)
class Settings:
    """Everything that changes how the product behaves, in one place."""

    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path("indexes")
    # Where the index lives: "files" (FAISS + BM25 in index_dir), "milvus:PATH.db" (embedded
    # Milvus Lite) or a Milvus server's http(s):// URI (qa/stores/); token: QA_MILVUS_TOKEN
    store: str = "files"
    model: str = "default"  # "default", "fast", or a path to a GGUF file
    embedder: str = (
        "default"  # "default" (packaged all-MiniLM-L6-v2) or a sentence-transformers dir
    )
    # "auto": the int8 ONNX export `qa models` verified, else exact; "exact"; "onnx" (or fail)
    embedder_runtime: str = "auto"
    k: int = 5
    chunk_chars: int = 600
    chunk_overlap_chars: int = 120
    dense_weight: float = 0.3
    candidate_depth: int = 100  # retrieval fuses the BM25 and FAISS top-this (qa/retrieval.py)
    context_chars: int = 900  # passage text in a retrieval prompt (each ~3.3 chars is a token)
    passage_floor: float = 0.6  # retrieval prompt: leave out passages under this share of the best
    other_passage_chars: int = 300  # retrieval prompt: at most this much of each runner-up passage
    n_ctx: int = 4096
    n_threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    n_batch: int = 512
    max_answer_tokens: int = 200
    max_question_chars: int = 1000
    max_article_mb: float = 5.0  # a larger file is skipped: a data dump, not an article
    context_mode: str = "auto"  # "auto": whole corpus in a cached prefix when it fits; "retrieve"
    english_reading: str = "auto"  # "auto": English questions read an English translation; "off"
    disable_checks: str = ""  # answer checks switched off, "name,name" (qa/checks/__init__.py)
    cache_dir: Path = field(default_factory=_default_cache_dir)
    data_dir: Path = field(default_factory=_default_data_dir)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields replaced; ``None`` values (unset flags) are ignored."""
        clean = {k: v for k, v in overrides.items() if v is not None}
        return _validated(replace(self, **clean))


_ENV = {
    "seeds_dir": "QA_SEEDS_DIR",
    "index_dir": "QA_INDEX_DIR",
    "store": "QA_STORE",
    "model": "QA_MODEL",
    "embedder": "QA_EMBEDDER",
    "embedder_runtime": "QA_EMBEDDER_RUNTIME",
    "k": "QA_K",
    "chunk_chars": "QA_CHUNK_CHARS",
    "chunk_overlap_chars": "QA_CHUNK_OVERLAP_CHARS",
    "dense_weight": "QA_DENSE_WEIGHT",
    "candidate_depth": "QA_CANDIDATE_DEPTH",
    "context_chars": "QA_CONTEXT_CHARS",
    "passage_floor": "QA_PASSAGE_FLOOR",
    "other_passage_chars": "QA_OTHER_PASSAGE_CHARS",
    "n_ctx": "QA_N_CTX",
    "n_threads": "QA_THREADS",
    "n_batch": "QA_N_BATCH",
    "max_answer_tokens": "QA_MAX_ANSWER_TOKENS",
    "max_question_chars": "QA_MAX_QUESTION_CHARS",
    "max_article_mb": "QA_MAX_ARTICLE_MB",
    "context_mode": "QA_CONTEXT_MODE",
    "english_reading": "QA_ENGLISH_READING",
    "disable_checks": "QA_DISABLE_CHECKS",
    "cache_dir": "QA_CACHE_DIR",
    "data_dir": "QA_DATA_DIR",
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Defaults, then ``QA_*`` variables, then explicit overrides (flags); validated."""
    environ = os.environ if environ is None else environ
    base = Settings()
    types = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name, var in _ENV.items():
        raw = environ.get(var)
        if raw is None or raw == "":
            continue
        values[name] = _coerce(name, types[name], raw, var)
    return base.with_overrides(**values).with_overrides(**overrides)


def _coerce(name: str, type_name: Any, raw: str, var: str) -> Any:
    kind = str(type_name)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise InputError(f"{var}={raw!r} is not a number; set it to a number or unset it") from None
    if kind == "Path":
        return Path(raw).expanduser()
    return raw


def _validated(s: Settings) -> Settings:
    if s.k < 1 or s.k > 50:
        raise InputError(f"k must be between 1 and 50 (got {s.k})")
    if s.chunk_chars < 100:
        raise InputError(f"chunk size must be at least 100 characters (got {s.chunk_chars})")
    if not 0 <= s.chunk_overlap_chars < s.chunk_chars // 2:
        raise InputError("chunk overlap must be between 0 and half the chunk size")
    if not 0.0 <= s.dense_weight <= 1.0:
        raise InputError(f"dense weight must be between 0 and 1 (got {s.dense_weight})")
    if s.candidate_depth < 1:
        raise InputError(f"candidate depth must be at least 1 (got {s.candidate_depth})")
    if not 0.0 <= s.passage_floor <= 1.0:
        raise InputError(f"passage floor must be between 0 and 1 (got {s.passage_floor})")
    if s.other_passage_chars < 60:
        raise InputError(
            f"other passage size must be at least 60 characters (got {s.other_passage_chars})"
        )
    if s.context_mode not in ("auto", "retrieve"):
        raise InputError(f"context mode must be 'auto' or 'retrieve' (got {s.context_mode!r})")
    if s.embedder_runtime not in ("auto", "exact", "onnx"):
        raise InputError(
            f"QA_EMBEDDER_RUNTIME must be 'auto', 'exact' or 'onnx' (got {s.embedder_runtime!r})"
        )
    if s.english_reading not in ("auto", "off"):
        raise InputError(f"english reading must be 'auto' or 'off' (got {s.english_reading!r})")
    store_name(s.store)  # one line naming the stores when it is none of them
    if s.n_threads < 1:
        raise InputError(f"threads must be at least 1 (got {s.n_threads}); set QA_THREADS")
    if s.n_ctx < 512:
        raise InputError(
            f"the context size must be at least 512 tokens (got {s.n_ctx}); set QA_N_CTX"
        )
    if s.max_answer_tokens < 1:
        raise InputError(f"the answer length must be at least 1 token (got {s.max_answer_tokens})")
    if s.max_article_mb <= 0:
        raise InputError(f"the article size limit must be positive (got {s.max_article_mb} MB)")
    return s
