"""The bundled MiniLM run by onnxruntime from an int8 export that `qa models` made and verified.

Indexing is bound by the embedder: on 512 facqa-dev chunks, 2 cores, the first int8 export embedded
48.5 passages/s, sentence-transformers 27.0 and ``qa.numpy_bert`` 19.1, with vectors within cosine
0.99 of sentence-transformers' (min 0.9931 on 1,000 news passages); ``bench/embed_speed.py``. The
export of format 2 quantises the FFN down-projections too: ~1.35x faster again, min cosine 0.9918
(``qa.onnx_export``). It starts
~0.07 s slower than ``qa.numpy_bert`` (0.23 vs 0.16 s to a first query vector in a new process),
so the numpy BERT stays as the exact embedder, which needs no export.

The vectors are close, not equal, so the embedder has its own ``name`` and an index built with it
is rebuilt when switching back (and the other way round).

``load_export`` trusts the export only through the stamp ``qa.onnx_export`` writes after the
verification passed, and checks it with a few ``stat`` calls: no hashing on the query path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.atomic import file_sha256
from qa.errors import ModelError

ONNX_SUFFIX = "+onnx-int8"
EXPORT_FORMAT = 2  # 2: down-projections int8 but for their outlier channels (qa.onnx_export)
MIN_COSINE = 0.99
EXPORT_STEM = "all-MiniLM-L6-v2-int8"


def onnx_name(exact_name: str) -> str:
    """The manifest name of the int8 export of the model called ``exact_name``."""
    return exact_name + ONNX_SUFFIX


def export_paths(cache_dir: Path) -> tuple[Path, Path]:
    """(the .onnx file, its stamp) in the cache directory beside the GGUF models."""
    folder = cache_dir / "models"
    return folder / f"{EXPORT_STEM}.onnx", folder / f"{EXPORT_STEM}.json"


def source_matches(stamp: ExportStamp, model_dir: Path) -> bool:
    """Whether the embedder weights are the ones the export was made from: the same file by its
    stat, or else the same bytes (another checkout's venv holds its own copy of the weights, and
    the export in the shared cache serves both; hashing 90 MB costs ~0.2 s, only then)."""
    weights = model_dir / "model.safetensors"
    return file_stat(weights) == stamp.source_stat or file_sha256(weights) == stamp.source_sha256


def file_stat(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def usable_cores() -> int:
    """The cores this process may run on (a container or taskset can give fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ExportStamp:
    """What the stamp beside the .onnx file proves: which source, which runtime, how close."""

    source_sha256: str
    source_stat: dict[str, int]  # model.safetensors' size/mtime/inode when it was hashed
    onnx_stat: dict[str, int]
    onnx_sha256: str
    onnxruntime: str
    onnx: str
    passages: int
    min_cosine: float
    mean_cosine: float
    passed: bool
    quantisation: str = ""  # which of qa.onnx_export.QUANTISATIONS passed (or failed last)

    def to_json(self) -> str:
        return json.dumps({"format": EXPORT_FORMAT, **self.__dict__}, indent=1, sort_keys=True)

    @classmethod
    def read(cls, path: Path) -> ExportStamp | None:
        """The stamp at ``path``; None if it is missing, unreadable or of another format."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.pop("format") != EXPORT_FORMAT:
                return None
            return cls(**raw)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None


def load_export(cache_dir: Path, model_dir: Path) -> Path | None:
    """The verified int8 .onnx for the model in ``model_dir``, None if none was ever made; a
    one-line ModelError if it failed its check or it or the model changed since."""
    onnx_path, stamp_path = export_paths(cache_dir)
    if not stamp_path.exists():
        return None
    stamp = ExportStamp.read(stamp_path)
    if stamp is None:
        raise ModelError(f"the ONNX embedder stamp {stamp_path} is unreadable; run `qa models`")
    if not stamp.passed:
        raise ModelError(
            f"the ONNX embedder failed its check (min cosine {stamp.min_cosine:.4f} < "
            f"{MIN_COSINE} on {stamp.passages} passages)"
        )
    try:
        same_source = source_matches(stamp, model_dir)
    except OSError:
        raise ModelError(f"the embedder weights in {model_dir} are missing") from None
    if not same_source:
        raise ModelError("the embedder model changed since its ONNX export; run `qa models`")
    try:
        onnx_now = file_stat(onnx_path)
    except OSError:
        raise ModelError(f"the ONNX embedder {onnx_path} is missing; run `qa models`") from None
    if onnx_now != stamp.onnx_stat:
        raise ModelError(
            f"the ONNX embedder {onnx_path} changed since it was verified; run `qa models`"
        )
    return onnx_path


class OnnxEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime: tokenise, run, mean-pool, L2-normalise.

    Sessions and the tokenizer load on the first ``embed`` (importing onnxruntime is ~0.1 s), so
    constructing one is free.

    Texts run one at a time by default: the int8 graph quantises activations with a scale taken
    over the whole input tensor, so in a batch a passage's vector would depend on its neighbours
    and on their padding (up to 0.005 per component here). One at a time, a text always gets the
    same vector, a question is computed exactly like a passage, and it is as fast on 2 cores
    (measured: batch 1 vs batches of 16 sorted by length, within noise). A larger
    ``batch_size`` (for the float32 graph, say) sorts by token length to pad little.

    Many texts are shared out among ``workers`` single-threaded sessions run side by side (one
    per usable core; onnxruntime releases the GIL): on 2 cores, 560-character passages embed at
    68 passages/s that way against 55.5 with one session on 2 threads, with the same vectors
    (``bench/embed_speed.py``). A single text (a question) runs on the first session alone, so
    the query path loads one session only.
    """

    def __init__(
        self,
        onnx_path: Path,
        model_dir: Path,
        name: str,
        *,
        batch_size: int = 1,
        workers: int | None = None,
    ) -> None:
        self._onnx_path = onnx_path
        self._model_dir = model_dir
        self._name = name
        self._batch_size = batch_size
        self._workers = max(1, workers or usable_cores())
        self._sessions: list[Any] = []
        self._pool: ThreadPoolExecutor | None = None
        self._tokenizer: Any = None
        self._hidden = 0

    @property
    def name(self) -> str:
        return self._name

    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            d = self._model_dir
            cfg = json.loads((d / "config.json").read_text(encoding="utf-8"))
            sbert = json.loads((d / "sentence_bert_config.json").read_text(encoding="utf-8"))
            # As sentence-transformers: max_seq_length capped at the position table size.
            max_len = min(int(sbert["max_seq_length"]), int(cfg["max_position_embeddings"]))
            tokenizer = Tokenizer.from_file(str(d / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=max_len)
            tokenizer.no_padding()  # the file pads to 128; we pad per length-sorted batch
            self._tokenizer, self._hidden = tokenizer, int(cfg["hidden_size"])
        return self._tokenizer

    def _load_sessions(self, count: int) -> list[Any]:
        """The first ``count`` sessions, loaded on first need (one thread each)."""
        while len(self._sessions) < count:
            try:
                import onnxruntime as ort

                self._load_tokenizer()
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.log_severity_level = 3  # no warnings on stderr
                session = ort.InferenceSession(
                    str(self._onnx_path), options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # a corrupt file surfaces as several exception types
                raise ModelError(
                    f"could not load the ONNX embedder {self._onnx_path} ({type(exc).__name__}); "
                    "run `qa models` to export it again or set QA_EMBEDDER_RUNTIME=exact"
                ) from exc
            self._sessions.append(session)
        return self._sessions[:count]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), hidden) L2-normalised float32 rows, in the order of ``texts``."""
        tokenizer = self._load_tokenizer()
        encodings = tokenizer.encode_batch([str(t) for t in texts])
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        batches = [
            order[start : start + self._batch_size]
            for start in range(0, len(order), self._batch_size)
        ]
        sessions = self._load_sessions(min(self._workers, max(1, len(batches))))
        out = np.zeros((len(texts), self._hidden), dtype=np.float32)
        if len(sessions) == 1:
            for rows in batches:
                out[rows] = _run(sessions[0], [encodings[i] for i in rows])
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="qa-embed")

            def share(worker: int) -> None:
                # Longest first, dealt round-robin: each session gets a similar amount of work.
                for rows in batches[worker :: len(sessions)]:
                    out[rows] = _run(sessions[worker], [encodings[i] for i in rows])

            for done in [self._pool.submit(share, w) for w in range(len(sessions))]:
                done.result()
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-12))
        return out


def _run(session: Any, encodings: Sequence[Any]) -> np.ndarray:
    """Mean-pooled last hidden states of one padded batch of tokenised texts."""
    width = len(encodings[0].ids)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for j, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[j, :n] = encoding.ids
        mask[j, :n] = 1
        types[j, :n] = encoding.type_ids
    (hidden,) = session.run(
        None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    )
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return pooled.astype(np.float32)
