"""A numpy-only BERT sentence embedder: the same vectors as sentence-transformers, without torch.

Importing sentence-transformers (torch + transformers) costs ~6.5 s, far too much for a one-shot
``qa ask`` that embeds a single query. For a plain BERT model (Transformer -> mean Pooling ->
optional Normalize) the whole pipeline is a few matrix products, so it is re-done here in float32
numpy with the model's own ``tokenizer.json`` and ``model.safetensors``. ``supports`` admits only
directories this code reproduces exactly; anything else stays with sentence-transformers.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import ModelError

_MODULE_KINDS = ("Transformer", "Pooling", "Normalize")
_POOLING_LEGACY_KEYS = (
    "pooling_mode_cls_token",
    "pooling_mode_max_tokens",
    "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens",
    "pooling_mode_lasttoken",
)
_SMALL_INPUT_TOKENS = 512
_SBERT_CONFIG_KEYS = {"max_seq_length", "do_lower_case"}
_LAYER_TENSORS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "attention.output.LayerNorm",
    "intermediate.dense",
    "output.dense",
    "output.LayerNorm",
)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _canonical_key(key: str) -> str:
    """A tensor name as BertModel loads it: no ``bert.`` prefix, TF-era gamma/beta renamed."""
    key = key.removeprefix("bert.")
    if key.endswith(".gamma"):
        key = key[: -len(".gamma")] + ".weight"
    elif key.endswith(".beta"):
        key = key[: -len(".beta")] + ".bias"
    return key


def _required_tensors(n_layers: int) -> list[str]:
    names = [
        f"embeddings.{part}.weight"
        for part in ("word_embeddings", "position_embeddings", "token_type_embeddings")
    ]
    names.append("embeddings.LayerNorm.weight")
    names.append("embeddings.LayerNorm.bias")
    for i in range(n_layers):
        for part in _LAYER_TENSORS:
            names.append(f"encoder.layer.{i}.{part}.weight")
            names.append(f"encoder.layer.{i}.{part}.bias")
    return names


def _safetensors_dtypes(path: Path) -> dict[str, str] | None:
    """Tensor name -> dtype from the file header alone (8-byte length + JSON), no weights read."""
    try:
        with path.open("rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            if size > 100_000_000:
                return None
            header = json.loads(f.read(size))
    except (OSError, ValueError, struct.error):
        return None
    if not isinstance(header, dict):
        return None
    return {
        _canonical_key(k): v.get("dtype", "")
        for k, v in header.items()
        if k != "__metadata__" and isinstance(v, dict)
    }


def _module_kind(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    kind = str(entry.get("type", ""))
    if not kind.startswith("sentence_transformers."):
        return None
    return kind.rsplit(".", 1)[-1]


def _is_mean_pooling(cfg: Any) -> bool:
    """Mirrors sentence-transformers' reading of both the legacy and the current Pooling config."""
    if not isinstance(cfg, dict):
        return False
    mode = cfg.get("pooling_mode")
    if mode is not None:
        return mode == "mean" or mode == ["mean"]
    return not any(cfg.get(k) for k in _POOLING_LEGACY_KEYS)  # no mode at all means mean


def _tokenizer_matches_config(tok: Any, tok_cfg: Any) -> bool:
    """Whether tokenizer.json is the standard BERT pipeline with tokenizer_config's settings.

    transformers rebuilds a BertTokenizer's normaliser from tokenizer_config.json, so the file we
    load must agree with it, or the two tokenisations could differ.
    """
    if not isinstance(tok, dict):
        return False
    tok_cfg = tok_cfg if isinstance(tok_cfg, dict) else {}
    if tok_cfg.get("tokenizer_class", "BertTokenizer") not in (
        "BertTokenizer",
        "BertTokenizerFast",
    ):
        return False
    norm = tok.get("normalizer") or {}
    model = tok.get("model") or {}
    expected_norm = {
        "type": "BertNormalizer",
        "clean_text": True,
        "handle_chinese_chars": tok_cfg.get("tokenize_chinese_chars", True),
        "strip_accents": tok_cfg.get("strip_accents"),
        "lowercase": tok_cfg.get("do_lower_case", True),
    }
    return (
        all(norm.get(k) == v for k, v in expected_norm.items())
        and (tok.get("pre_tokenizer") or {}).get("type") == "BertPreTokenizer"
        and model.get("type") == "WordPiece"
        and model.get("continuing_subword_prefix") == "##"
        and (tok.get("post_processor") or {}).get("type")
        in ("TemplateProcessing", "BertProcessing")
    )


def supports(path: Path) -> bool:
    """Whether ``path`` is a plain BERT sentence-transformers model that this module reproduces.

    Reads only small JSON files and the safetensors header, so it is cheap enough to call on
    every start-up; anything unexpected answers False and the caller falls back to
    sentence-transformers.
    """
    modules = _read_json(path / "modules.json")
    if not isinstance(modules, list) or not 2 <= len(modules) <= 3:
        return False
    kinds = [_module_kind(m) for m in modules]
    if kinds != list(_MODULE_KINDS[: len(kinds)]) or modules[0].get("path") not in ("", "."):
        return False
    pooling_dir = path / str(modules[1].get("path", ""))
    if not _is_mean_pooling(_read_json(pooling_dir / "config.json")):
        return False

    sbert = _read_json(path / "sentence_bert_config.json")
    if (
        not isinstance(sbert, dict)
        or not set(sbert) <= _SBERT_CONFIG_KEYS
        or sbert.get("do_lower_case", False)
        or not isinstance(sbert.get("max_seq_length"), int)
        or sbert["max_seq_length"] < 2
    ):
        return False
    st_cfg = _read_json(path / "config_sentence_transformers.json")
    if isinstance(st_cfg, dict) and st_cfg.get("default_prompt_name"):
        return False

    cfg = _read_json(path / "config.json")
    if not isinstance(cfg, dict):
        return False
    try:
        if (
            cfg.get("model_type") != "bert"
            or cfg.get("position_embedding_type", "absolute") != "absolute"
            or cfg.get("hidden_act") != "gelu"
            or cfg.get("torch_dtype", cfg.get("dtype", "float32")) not in (None, "float32")
            or int(cfg["hidden_size"]) % int(cfg["num_attention_heads"]) != 0
        ):
            return False
        n_layers = int(cfg["num_hidden_layers"])
        float(cfg.get("layer_norm_eps", 1e-12))
    except (KeyError, TypeError, ValueError):
        return False

    tok_path = path / "tokenizer.json"
    if not tok_path.is_file() or not _tokenizer_matches_config(
        _read_json(tok_path), _read_json(path / "tokenizer_config.json")
    ):
        return False
    dtypes = _safetensors_dtypes(path / "model.safetensors")
    return dtypes is not None and all(dtypes.get(n) == "F32" for n in _required_tensors(n_layers))


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3*hidden): query, key and value fused into one product
    qkv_b: np.ndarray
    attn_out_w: np.ndarray
    attn_out_b: np.ndarray
    attn_ln_w: np.ndarray
    attn_ln_b: np.ndarray
    inter_w: np.ndarray
    inter_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    out_ln_w: np.ndarray
    out_ln_b: np.ndarray


# erfc(z) = t * exp(-z*z + poly(t)), t = 1 / (1 + z/2), with fractional error < 1.2e-7 for all
# z >= 0 (Numerical Recipes' erfcc, a Chebyshev fit). Through erfc, GELU keeps that relative
# accuracy even where 1 + erf(x) would cancel; only exp and arithmetic, so numpy runs it at
# SIMD speed (scipy's erf is ~2x slower here and its import alone costs ~0.2 s).
_ERFC_POLY = tuple(
    np.float32(c)
    for c in (
        0.17087277,
        -0.82215223,
        1.48851587,
        -1.13520398,
        0.27886807,
        -0.18628806,
        0.09678418,
        0.37409196,
        1.00002368,
    )
)
_ERFC_CONST = np.float32(-1.26551223)
_INV_SQRT2 = np.float32(1.0 / math.sqrt(2.0))
_GELU_BLOCK_ELEMENTS = 1 << 17  # blocks small enough for the temporaries to stay in cache


def _gelu_block(x: np.ndarray) -> np.ndarray:
    """x * Phi(x) for one block, as a new array; Phi(-|x|) = erfc(|x|/sqrt 2) / 2."""
    z = np.abs(x)
    z *= _INV_SQRT2
    t = z * np.float32(0.5)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    p = t * _ERFC_POLY[0]
    for c in _ERFC_POLY[1:]:
        p += c
        p *= t
    p += _ERFC_CONST
    z *= z
    p -= z
    np.exp(p, out=p)
    p *= t
    p *= np.float32(0.5)  # Phi(-|x|)
    np.subtract(np.float32(1.0), p, out=p, where=x >= 0)  # Phi(|x|) where x >= 0
    p *= x
    return p


def _gelu_(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, transformers' "gelu", in place over the rows of a 2-D array."""
    rows = max(1, _GELU_BLOCK_ELEMENTS // max(1, x.shape[1]))
    for start in range(0, x.shape[0], rows):
        x[start : start + rows] = _gelu_block(x[start : start + rows])
    return x


def _one_blas_thread_factory() -> Callable[[], AbstractContextManager[Any]]:
    """A context that runs BLAS single-threaded, if threadpoolctl is there to do it.

    The attention products are thousands of small per-head GEMMs; OpenBLAS splits each over all
    cores and waking the threads costs more than the product, ruinously so on a busy machine
    (the seed article's 13 chunks: 14-24 s without the limit, ~1.5 s with it, on a loaded
    2-core box). The large GEMMs keep BLAS's threads, which pay off on an idle multi-core one.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return nullcontext
    controller = ThreadpoolController()
    return lambda: controller.limit(limits=1, user_api="blas")


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    centred = x - x.mean(axis=-1, keepdims=True)
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    centred /= np.sqrt(var + np.float32(eps))
    centred *= weight
    centred += bias
    return centred


class _BertEncoder:
    """BertModel's inference forward pass (as in transformers, dropout off) in float32 numpy."""

    def __init__(self, tensors: dict[str, np.ndarray], cfg: dict[str, Any]) -> None:
        t = {_canonical_key(k): v for k, v in tensors.items()}

        def get(name: str) -> np.ndarray:
            try:
                return np.ascontiguousarray(t[name], dtype=np.float32)
            except KeyError:
                raise ModelError(f"the embedder weights lack the tensor {name}") from None

        def linear(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            # torch stores (out, in); the transposed view goes to BLAS as is, with no copy.
            return get(prefix + ".weight").T, get(prefix + ".bias")

        self.hidden = int(cfg["hidden_size"])
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")
        self.emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers: list[_Layer] = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            q, k, v = (linear(p + f"attention.self.{n}") for n in ("query", "key", "value"))
            self.layers.append(
                _Layer(
                    np.concatenate([q[0].T, k[0].T, v[0].T]).T,
                    np.concatenate([q[1], k[1], v[1]]),
                    *linear(p + "attention.output.dense"),
                    get(p + "attention.output.LayerNorm.weight"),
                    get(p + "attention.output.LayerNorm.bias"),
                    *linear(p + "intermediate.dense"),
                    *linear(p + "output.dense"),
                    get(p + "output.LayerNorm.weight"),
                    get(p + "output.LayerNorm.bias"),
                )
            )
        self._one_blas_thread = _one_blas_thread_factory()

    def _attention(self, qkv: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Multi-head self-attention of each text over its own tokens: (batch * length, hidden).

        Restricting each text to its real tokens equals transformers' additive mask (masked keys
        get exactly zero weight there too) and skips the padding. Rows past a text's length are
        left at zero: only padding positions read them, and pooling ignores those.
        """
        batch, length, _ = qkv.shape
        d, h = self.hidden, self.heads
        dh = d // h
        scale = np.float32(1.0 / math.sqrt(dh))
        context = np.zeros((batch, length, d), dtype=np.float32)
        with self._one_blas_thread():  # thousands of small per-head products
            for b in range(batch):
                n = int(lengths[b])
                # (3, heads, n, dh), contiguous: numpy's stacked matmul reaches BLAS only for
                # contiguous matrices and is ~20x slower on strided views.
                q, k, v = np.ascontiguousarray(
                    qkv[b, :n].reshape(n, 3, h, dh).transpose(1, 2, 0, 3)
                )
                scores = q @ k.transpose(0, 2, 1)
                scores *= scale
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                context[b, :n] = (scores @ v).transpose(1, 0, 2).reshape(n, d)
        return context.reshape(batch * length, d)

    def mean_pooled(self, ids: np.ndarray, types: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """(batch, hidden) mean of the last hidden states over each text's first ``lengths`` tokens.

        ``ids`` and ``types`` are (batch, length), right-padded with anything.
        """
        if ids.size <= _SMALL_INPUT_TOKENS:  # a query: too little work to share between threads
            with self._one_blas_thread():
                return self._mean_pooled(ids, types, lengths)
        return self._mean_pooled(ids, types, lengths)

    def _mean_pooled(self, ids: np.ndarray, types: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        d = self.hidden
        x = self.word[ids] + self.position[:length] + self.token_type[types]
        x = _layer_norm(x, *self.emb_ln, self.eps).reshape(batch * length, d)
        for layer in self.layers:
            qkv = x @ layer.qkv_w + layer.qkv_b
            attn = self._attention(qkv.reshape(batch, length, 3 * d), lengths)
            attn = attn @ layer.attn_out_w + layer.attn_out_b
            attn += x
            x = _layer_norm(attn, layer.attn_ln_w, layer.attn_ln_b, self.eps)
            inner = _gelu_(x @ layer.inter_w + layer.inter_b)
            out = inner @ layer.out_w + layer.out_b
            out += x
            x = _layer_norm(out, layer.out_ln_w, layer.out_ln_b, self.eps)
        x = x.reshape(batch, length, d)
        pooled = np.empty((batch, d), dtype=np.float32)
        for b in range(batch):  # sentence-transformers' masked mean; every text has >= 2 tokens
            pooled[b] = x[b, : int(lengths[b])].mean(axis=0)
        return pooled


class NumpyBertEmbedder:
    """A sentence-transformers BERT model (see ``supports``) run in numpy: no torch import.

    Loads lazily on the first ``embed`` (weights ~90 MB, tokenizer) so constructing it is free.
    """

    def __init__(self, path: Path, name: str, batch_size: int = 32) -> None:
        self._path = path
        self._name = name
        self._batch_size = batch_size
        self._encoder: _BertEncoder | None = None
        self._tokenizer: Any = None

    @property
    def name(self) -> str:
        return self._name

    def _load(self) -> tuple[_BertEncoder, Any]:
        if self._encoder is None:
            try:
                from safetensors.numpy import load_file
                from tokenizers import Tokenizer

                cfg = json.loads((self._path / "config.json").read_text(encoding="utf-8"))
                sbert = json.loads(
                    (self._path / "sentence_bert_config.json").read_text(encoding="utf-8")
                )
                # sentence-transformers caps its max_seq_length at the position table size.
                max_len = min(int(sbert["max_seq_length"]), int(cfg["max_position_embeddings"]))
                tokenizer = Tokenizer.from_file(str(self._path / "tokenizer.json"))
                tokenizer.enable_truncation(max_length=max_len)  # longest_first, as ST asks
                tokenizer.no_padding()  # padded per length-sorted batch below
                encoder = _BertEncoder(load_file(str(self._path / "model.safetensors")), cfg)
            except ModelError:
                raise
            except Exception as exc:  # a broken model dir surfaces as many exception types
                raise ModelError(
                    f"could not load the embedder from {self._path} ({type(exc).__name__}); "
                    "point QA_EMBEDDER at a valid sentence-transformers directory"
                ) from exc
            self._encoder, self._tokenizer = encoder, tokenizer
        return self._encoder, self._tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), hidden) L2-normalised float32 rows, in the order of ``texts``."""
        encoder, tokenizer = self._load()
        out = np.zeros((len(texts), encoder.hidden), dtype=np.float32)
        if not texts:
            return out
        encodings = tokenizer.encode_batch([str(t) for t in texts])
        # Longest first, like sentence-transformers: batches of similar length waste little padding.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            lengths = np.array([len(encodings[i].ids) for i in rows])
            ids = np.zeros((len(rows), int(lengths[0])), dtype=np.int64)
            types = np.zeros_like(ids)
            for j, i in enumerate(rows):
                ids[j, : lengths[j]] = encodings[i].ids
                types[j, : lengths[j]] = encodings[i].type_ids
            out[rows] = encoder.mean_pooled(ids, types, lengths)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.maximum(norms, np.float32(1e-12))
        return out
