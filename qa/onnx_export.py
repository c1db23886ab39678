"""Making the int8 ONNX embedder once (``qa models``): export, quantise, verify, install atomically.

Only this module imports torch (through transformers' exporter); nothing on the query path does.

Why this quantisation: plain dynamic int8 loses too much on MiniLM (min cosine 0.79-0.98 against
sentence-transformers), because the GELU output feeding the FFN down-projection and the attention
values carry outliers. Per-channel int8 weights on the MatMuls, with those two kinds of MatMul left
in float32, stays >= 0.99 and keeps most of the speed.

The verification compares with sentence-transformers' own vectors on a sample that exists on every
install (windows over the user's seed articles and the model card, plus built-in questions);
``bench/embed_speed.py`` and the e2e test check 1,000 news passages when ``../shared`` is there.
The result is written as a stamp beside the .onnx; a failed check is recorded too, so the exact
embedder stays in use and the next ``qa models`` does not redo a 30 s export that cannot pass.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.atomic import copy_atomic, file_sha256, remove_stale_temps, write_atomic
from qa.errors import ModelError
from qa.onnx_embedder import (
    MIN_COSINE,
    ExportStamp,
    OnnxEmbedder,
    export_paths,
    file_stat,
    source_matches,
)

OPSET = 17

# Short and question-like inputs: the query side of retrieval, in the languages users ask in.
BUILT_IN_TEXTS = (
    "Kapan Putin terakhir kali mengunjungi Korea Utara?",
    "Siapa yang memenangkan pemilihan presiden tahun 2024?",
    "Berapa jumlah korban banjir di Jakarta?",
    "Apa isi perjanjian yang ditandatangani kedua negara?",
    "Mengapa harga beras naik bulan ini?",
    "What did the two leaders agree on?",
    "Who is the new minister of finance?",
    "How many people were evacuated after the earthquake?",
    "Why was the arrest warrant issued?",
    "When will the new airport open?",
    "Quel est le bilan de la tempête ?",
    "Wie hoch ist die Inflation in diesem Jahr?",
    "KTT",
    "Putin",
    "Jakarta, 19 Juni 2024",
    "3,5% lebih dari 2.000 orang",
)  # not a blank text: no passage or question is blank, and its vector carries nothing
_WINDOW_CHARS = (80, 200, 400, 600, 600, 900, 1600)  # 1,600 chars is past 256 tokens: truncated


def verification_texts(sources: Iterable[str], n: int = 300) -> list[str]:
    """``n`` passages, deterministic: the built-in questions, then windows of varied length
    spread evenly over the joined ``sources`` (fewer if there is little text)."""
    text = "\n\n".join(s.strip() for s in sources if s.strip())
    out = list(BUILT_IN_TEXTS)[:n]
    wanted = n - len(out)
    if not text or wanted <= 0:
        return out
    step = max(1, len(text) // wanted)
    for i in range(wanted):
        start = (i * step) % len(text)
        size = _WINDOW_CHARS[i % len(_WINDOW_CHARS)]
        window = text[start : start + size]
        if len(window) >= 20:
            out.append(window)
    return out


def sample_sources(seeds_dir: Path, model_dir: Path, max_articles: int = 40) -> list[str]:
    """Text for the check that every install has: the first seed articles and the model card."""
    from qa.corpus import article_paths
    from qa.errors import QAError

    texts = []
    with contextlib.suppress(QAError, OSError):
        for path, _doc in article_paths(seeds_dir)[:max_articles]:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                texts.append(path.read_text(encoding="utf-8")[:50_000])
    with contextlib.suppress(OSError, UnicodeDecodeError):
        texts.append((model_dir / "README.md").read_text(encoding="utf-8"))
    return texts


@dataclass(frozen=True)
class ExportResult:
    """What ``ensure_export`` found or made; ``path`` is None when the check failed."""

    path: Path | None
    stamp: ExportStamp
    made: bool  # False: an existing export for the same model and runtime was kept


def runtime_versions() -> tuple[str, str]:
    """(onnxruntime, onnx) versions: a new runtime may quantise or compute differently."""
    from importlib.metadata import version

    return version("onnxruntime"), version("onnx")


def _still_current(stamp: ExportStamp | None, model_dir: Path, onnx_path: Path) -> bool:
    if stamp is None or (stamp.onnxruntime, stamp.onnx) != runtime_versions():
        return False
    try:
        if not source_matches(stamp, model_dir):
            return False
        return not stamp.passed or file_stat(onnx_path) == stamp.onnx_stat
    except OSError:
        return False


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two sets of L2-normalised vectors."""
    return np.einsum("ij,ij->i", a.astype(np.float64), b.astype(np.float64))


def ensure_export(
    model_dir: Path,
    cache_dir: Path,
    texts: Sequence[str],
    log: Callable[[str], None] = lambda _m: None,
    *,
    force: bool = False,
) -> ExportResult:
    """The verified int8 export of the MiniLM in ``model_dir``, made if missing or stale.

    The .onnx is renamed into place only when complete and the stamp written after it, so a
    kill or failure at any point leaves either the previous export or none, never half a file.
    """
    onnx_path, stamp_path = export_paths(cache_dir)
    stamp = ExportStamp.read(stamp_path)
    if not force and _still_current(stamp, model_dir, onnx_path):
        assert stamp is not None
        return ExportResult(onnx_path if stamp.passed else None, stamp, made=False)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(onnx_path.parent)
    ort_version, onnx_version = runtime_versions()
    log(f"exporting the embedder to ONNX int8 into {onnx_path.parent}")
    with tempfile.TemporaryDirectory(prefix="qa-onnx-") as work_dir:
        work = Path(work_dir)
        source_stat = file_stat(model_dir / "model.safetensors")
        source_sha = file_sha256(model_dir / "model.safetensors")
        try:
            int8 = quantise(export_fp32(model_dir, work), work / "model-int8.onnx")
            log(f"checking it against sentence-transformers on {len(texts)} passages")
            exact = _reference_vectors(model_dir, texts)
            probe = OnnxEmbedder(int8, model_dir, "probe").embed(texts)
        except (ModelError, OSError):
            raise
        except Exception as exc:  # the exporter and quantiser fail in many ways
            raise ModelError(
                f"exporting the embedder to ONNX failed ({type(exc).__name__}: {exc})"
            ) from exc
        cos = cosines(exact, probe)
        passed = bool(len(cos)) and float(cos.min()) >= MIN_COSINE
        if passed:
            copy_atomic(int8, onnx_path)
        else:
            onnx_path.unlink(missing_ok=True)
        stamp = ExportStamp(
            source_sha256=source_sha,
            source_stat=source_stat,
            onnx_stat=file_stat(onnx_path) if passed else {},
            onnx_sha256=file_sha256(onnx_path) if passed else "",
            onnxruntime=ort_version,
            onnx=onnx_version,
            passages=len(texts),
            min_cosine=round(float(cos.min()), 5) if len(cos) else 0.0,
            mean_cosine=round(float(cos.mean()), 5) if len(cos) else 0.0,
            passed=passed,
        )
        write_atomic(stamp_path, stamp.to_json(), fsync=True)
    return ExportResult(onnx_path if passed else None, stamp, made=True)


def _reference_vectors(model_dir: Path, texts: Sequence[str]) -> np.ndarray:
    from qa.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_dir, "reference", batch_size=16).embed(texts)


def export_fp32(model_dir: Path, work: Path) -> Path:
    """The float32 ONNX graph of the transformer (last hidden state; pooling stays in numpy).

    Loaded from a copy of the weights and config: the package folder holds more than a plain
    model folder and the exporter must not touch it. Eager attention exports as plain MatMul and
    Softmax, which onnxruntime's optimiser fuses into its own Attention kernel.
    """
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelError(f"exporting the embedder needs torch and transformers ({exc})") from None
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    copy = work / "source"
    copy.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy2(model_dir / name, copy / name)
    model = AutoModel.from_pretrained(str(copy), attn_implementation="eager").eval()

    class _LastHidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    dummy = torch.ones((2, 16), dtype=torch.int64)
    axes = {0: "batch", 1: "sequence"}
    names = ["input_ids", "attention_mask", "token_type_ids"]
    target = work / "model.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _LastHidden(model),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(target),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={name: axes for name in [*names, "last_hidden_state"]},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,  # the TorchScript exporter: honours dynamic_axes, needs no onnxscript
        )
    return target


def quantise(fp32: Path, target: Path) -> Path:
    """Dynamic int8, per channel, MatMuls only, minus the FFN down-projections and V projections."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fp32), load_external_data=False).graph
    shapes = {init.name: tuple(init.dims) for init in graph.initializer}
    matmuls = [node for node in graph.node if node.op_type == "MatMul"]
    # The down-projection is the one MatMul whose weight is (intermediate, hidden): 1536 x 384.
    weight_shapes = [shapes.get(node.input[1]) for node in matmuls]
    down = [
        node.name
        for node, shape in zip(matmuls, weight_shapes, strict=True)
        if shape is not None and len(shape) == 2 and shape[0] > shape[1]
    ]
    value = [node.name for node in matmuls if "/self/value/" in node.name]
    if not down or not value:
        raise ModelError("the exported embedder graph has an unexpected shape; not quantised")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic reports through the root logger
    try:
        quantize_dynamic(
            str(fp32),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=down + value,
        )
    finally:
        root.setLevel(level)
    return target
