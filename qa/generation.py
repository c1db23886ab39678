"""Text generation: the Generator protocol and its llama.cpp implementation.

One ``Llama`` lives as long as the generator, so llama.cpp keeps the KV cache of the previous prompt
and re-evaluates only the tokens after the longest common prefix: with a stable prompt prefix a
new question costs only its own tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from qa.errors import GenerationError, InputError, ModelError

STOP = ["<|im_end|>", "<|endoftext|>", "<|im_start|>"]


@runtime_checkable
class Generator(Protocol):
    """Streams a completion of a raw (already templated) prompt, greedily."""

    @property
    def name(self) -> str: ...

    def count_tokens(self, text: str) -> int: ...

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]: ...


class LlamaGenerator:
    """A GGUF model run by llama-cpp-python; loaded on first use, then kept warm."""

    def __init__(
        self, path: Path, name: str, *, n_ctx: int, n_threads: int, n_batch: int = 512
    ) -> None:
        self._path = path
        self._name = name
        self._n_ctx = n_ctx
        self._n_threads = n_threads
        self._n_batch = n_batch
        self._llm: Any = None
        self._lock = threading.Lock()  # one generation at a time on the shared context

    @property
    def name(self) -> str:
        return self._name

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def load(self) -> Any:
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

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
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
                ):
                    text = part["choices"][0]["text"]
                    if text:
                        yield text
            except (RuntimeError, ValueError) as exc:
                raise GenerationError(
                    f"the model failed while answering ({exc}); try again"
                ) from exc
