"""Text generation: the Generator protocol and its llama.cpp implementation.

One ``Llama`` lives as long as the generator, so llama.cpp keeps the KV cache of the previous prompt
and re-evaluates only the tokens after the longest common prefix: with a stable prompt prefix a
new question costs only its own tokens.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from qa.atomic import write_atomic
from qa.errors import GenerationError, InputError, ModelError

STOP = ["<|im_end|>", "<|endoftext|>", "<|im_start|>"]

# Saved KV states kept per index: an Indonesian and an English prefix for two models. Each is
# 20-50 MB; older ones (a previous prompt format, another model) are deleted.
KEEP_STATES = 4


@runtime_checkable
class Generator(Protocol):
    """Streams a completion of a raw (already templated) prompt, greedily.

    A generator may also offer ``prefill(prefix, state_dir) -> str`` (as ``LlamaGenerator`` does)
    to hold a fixed prompt prefix in its cache, and ``stream_avoiding(prompt, max_tokens,
    first_words)`` to ask again after a refusal; the engine uses them when present.
    """

    @property
    def name(self) -> str: ...

    def count_tokens(self, text: str) -> int: ...

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]: ...


class LlamaGenerator:
    """A GGUF model run by llama-cpp-python; loaded on first use, then kept warm."""

    def __init__(
        self,
        path: Path,
        name: str,
        *,
        n_ctx: int,
        n_threads: int,
        n_batch: int = 512,
        identity: str = "",
    ) -> None:
        self._path = path
        self._name = name
        self._identity = identity or f"{path.resolve()}:{path.stat().st_size}"
        self._n_ctx = n_ctx
        self._n_threads = n_threads
        self._n_batch = n_batch
        self._llm: Any = None
        self._lock = threading.Lock()  # one generation at a time on the shared context
        self._load_lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def identity(self) -> str:
        """The exact model file (what cached states and translations are keyed by)."""
        return self._identity

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def load_in_background(self) -> None:
        """Start loading the model in a thread: a cold question loads its index and embeds
        meanwhile (llama.cpp releases the GIL while it loads)."""
        if self._llm is None:
            threading.Thread(target=self._load_quietly, daemon=True).start()

    def _load_quietly(self) -> None:
        with contextlib.suppress(ModelError):  # the next load() raises it again, reported there
            self.load()

    def load(self) -> Any:
        with self._load_lock:
            return self._load()

    def _load(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama

                self._llm = Llama(
                    model_path=str(self._path),
                    n_ctx=self._n_ctx,
                    n_threads=self._n_threads,
                    n_threads_batch=self._n_threads,
                    n_batch=self._n_batch,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise ModelError(
                    f"llama.cpp could not load {self._path} ({exc}); the file may be corrupt: "
                    "pass another --model or reinstall with `make install`"
                ) from exc
        return self._llm

    def tokenize(self, text: str) -> list[int]:
        return self.load().tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    # ---------------------------------------------------------------- KV-cache prefix

    def prefill(self, prefix: str, state_dir: Path | None = None) -> str:
        """Make the KV cache hold ``prefix`` so a prompt starting with it costs only its tail.

        Returns how: ``warm`` (already there), ``loaded`` (a saved state from ``state_dir``) or
        ``computed`` (evaluated now, then saved to ``state_dir``). A saved state is keyed by the
        exact prefix tokens, the model and the llama.cpp version, so a stale one is never used.
        """
        llm = self.load()
        tokens = self.tokenize(prefix)
        with self._lock:
            n = len(tokens)
            if llm.n_tokens >= n and llm.input_ids[:n].tolist() == tokens:
                return "warm"
            key = self._state_key(tokens)
            if state_dir is not None and self._load_state(state_dir, key, tokens):
                return "loaded"
            llm.reset()
            llm.eval(tokens)
            if state_dir is not None:
                self._save_state(state_dir, key)
            return "computed"

    def _state_key(self, tokens: list[int]) -> str:
        import llama_cpp

        digest = hashlib.sha256()
        meta = f"{self._identity}|{self._n_ctx}|{llama_cpp.__version__}|"
        digest.update(meta.encode())
        digest.update(np.asarray(tokens, dtype=np.int32).tobytes())
        return digest.hexdigest()[:32]

    def _save_state(self, state_dir: Path, key: str) -> None:
        """Raw llama.cpp state bytes plus a JSON header: nothing that can run code on load."""
        import llama_cpp

        llm = self.load()
        ctx = llm._ctx.ctx
        size = llama_cpp.llama_state_get_size(ctx)
        buffer = (llama_cpp.ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_get_data(ctx, buffer, size)
        save_state(state_dir, key, bytes(buffer)[:written], llm.n_tokens)

    def _load_state(self, state_dir: Path, key: str, tokens: list[int]) -> bool:
        import llama_cpp

        try:
            header = json.loads((state_dir / f"{key}.json").read_text())
            data = (state_dir / f"{key}.kv").read_bytes()
        except (OSError, ValueError):
            return False
        if (
            header.get("n_tokens") != len(tokens)
            or len(data) != header.get("size")
            or hashlib.sha256(data).hexdigest() != header.get("sha256")
        ):
            return False
        llm = self.load()
        buffer = (llama_cpp.ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_set_data(llm._ctx.ctx, buffer, len(data)) != len(data):
            llm.reset()
            return False
        llm.input_ids[: len(tokens)] = tokens
        llm.n_tokens = len(tokens)
        llm._requires_eval = True
        with contextlib.suppress(OSError):  # marks it recently used, so pruning keeps it
            os.utime(state_dir / f"{key}.kv")
        return True

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
        return self._stream(prompt, max_tokens, None)

    def stream_avoiding(
        self, prompt: str, max_tokens: int, first_words: Sequence[str]
    ) -> Iterator[str]:
        """Stream a completion that may not start with any of ``first_words``: a second try
        after the model refused, so that it must answer and the grounding checks, not the
        model's reluctance, decide whether the answer stands."""
        llm = self.load()
        banned = [
            _distinctive_start(llm, ids)
            for word in first_words
            for text in (word, " " + word)
            if (ids := llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
        ]
        return self._stream(prompt, max_tokens, banned)

    def _stream(
        self, prompt: str, max_tokens: int, banned: list[list[int]] | None
    ) -> Iterator[str]:
        tokens = self.tokenize(prompt)
        if len(tokens) + max_tokens > self._n_ctx:
            raise InputError(
                f"the prompt needs {len(tokens)} tokens but the context holds {self._n_ctx}; "
                "ask a shorter question, lower --k, or start a new conversation"
            )
        with self._lock:
            try:
                for part in self.load().create_completion(
                    tokens,
                    max_tokens=max_tokens,
                    temperature=0.0,
                    top_k=1,
                    repeat_penalty=1.0,
                    stop=STOP,
                    stream=True,
                    logits_processor=_first_words_ban(len(tokens), banned) if banned else None,
                ):
                    text = part["choices"][0]["text"]
                    if text:
                        yield text
            except (RuntimeError, ValueError) as exc:
                raise GenerationError(
                    f"the model failed while answering ({exc}); try again"
                ) from exc


def _distinctive_start(llm: Any, ids: list[int]) -> list[int]:
    """The shortest start of a word's tokens that spells at least three characters: banning
    it rules the word out whichever way the rest is tokenized ("Art" of "Artikel"), without
    ruling out every word with the same first letter ("T" of "Tidak" is not enough)."""
    for n in range(1, len(ids)):
        if len(llm.detokenize(ids[:n]).strip()) >= 3:
            return ids[:n]
    return ids


def _first_words_ban(prompt_length: int, banned: list[list[int]]) -> list[Any]:
    """A llama.cpp logits processor that keeps the completion from starting with any of the
    ``banned`` token sequences: each one's last token is ruled out right after the rest."""

    def ban(input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        written = list(input_ids[prompt_length:])
        for ids in banned:
            if written == ids[:-1]:
                scores[ids[-1]] = -np.inf
        return scores

    return [ban]


def save_state(state_dir: Path, key: str, data: bytes, n_tokens: int) -> bool:
    """Save a state's bytes and its JSON header; False when it could not be (nothing is left
    behind). Not ``parents=True``: a reader never recreates a folder a writer removed."""
    header = {"n_tokens": n_tokens, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    try:
        state_dir.mkdir(exist_ok=True)
        write_atomic(state_dir / f"{key}.kv", data)
        write_atomic(state_dir / f"{key}.json", json.dumps(header))
        prune_states(state_dir, KEEP_STATES)
    except OSError:
        return False  # a read-only or full disk: the state just is not reused across processes
    return True


def prune_states(state_dir: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` most recently used saved states; returns what was deleted."""
    states = sorted(state_dir.glob("*.kv"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for kv in states[keep:]:
        for path in (kv, kv.with_suffix(".json")):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        removed.append(kv)
    return removed
