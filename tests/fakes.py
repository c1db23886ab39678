"""Small fakes behind the same protocols as the real embedder and generator.

They let the real chunking, FAISS, BM25, save/load and engine code run in milliseconds.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from qa.answer import Replaced
from qa.checks import AnswerContext
from qa.prompting import REFUSAL, Passage
from qa.translation import (
    QUESTION_RULES,
    TO_ENGLISH_RULES,
    TO_INDONESIAN_RULES,
    TRANSLATE_RULES,
)

# The fake's "translation": a few Indonesian words swapped for English, names kept.
FAKE_DICTIONARY = {
    "terakhir": "last",
    "kali": "time",
    "mengunjungi": "visited",
    "negara": "country",
    "itu": "that",
    "pada": "in",
    "tahun": "year",
    "dan": "and",
    "untuk": "for",
    "Utara": "North",
    "Rusia": "Russia",
    "menggelar": "rolls out",
    "karpet": "carpet",
    "merah": "red",
}


def fake_translation(sentence: str) -> str:
    return " ".join(FAKE_DICTIONARY.get(w, w) for w in sentence.split())


def fake_question_translation(question: str) -> str:
    """English words of the dictionary swapped back into Indonesian."""
    back = {en: id_ for id_, en in FAKE_DICTIONARY.items() if " " not in en}
    return " ".join(back.get(w.lower().strip("?"), w) for w in question.split())


def as_shown(events: Iterable[str | Replaced]) -> str:
    """An answer stream as a terminal shows it: a blank line where what follows replaces it."""
    return "".join("\n\n" if isinstance(e, Replaced) else e for e in events)


def context(
    question: str, passages: Sequence[Passage], language: str = "id", **more: Any
) -> AnswerContext:
    """What an answer check sees of an answer over these passages (read as they are)."""
    return AnswerContext(question, language, tuple(passages), {}, **more)


class FakeEmbedder:
    """Hashed bag of words, L2-normalised: similar texts get similar vectors, deterministically."""

    def __init__(self, dim: int = 64, name: str = "fake-embedder") -> None:
        self.dim = dim
        self._name = name
        self.calls: list[int] = []  # how many texts each embed() call got

    @property
    def name(self) -> str:
        return self._name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest()[:8], 16)
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out


class FakeGenerator:
    """Answers with a scripted reply, or by quoting the first passage that shares a word with the
    question, citing its number, streamed word by word (a translation prompt gets
    ``fake_translation``). Records every prompt it was given."""

    def __init__(
        self, reply: str | None = None, delay: float = 0.0, name: str = "fake-model"
    ) -> None:
        self.reply = reply
        self.delay = delay
        self._name = name
        self.prompts: list[str] = []
        self.cancelled = threading.Event()

    @property
    def name(self) -> str:
        return self._name

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def _compose(self, prompt: str) -> str:
        if self.reply is not None:
            return self.reply
        user_text = prompt.split("<|im_start|>user\n")[1].split("<|im_end|>")[0]
        if prompt.startswith(f"<|im_start|>system\n{TRANSLATE_RULES}"):
            return fake_translation(user_text)
        if prompt.startswith(f"<|im_start|>system\n{QUESTION_RULES}"):
            return fake_question_translation(user_text)
        question = prompt.rsplit("<|im_start|>user\n", 1)[-1].split("\n(")[0]
        words = {w for w in re.findall(r"\w+", question.lower()) if len(w) > 3}
        passage = re.compile(
            r"^\[(\d+)\] (.+?)(?=\n\n\[\d+\] |\n\nArticle: |<\|im_end\|>)", re.M | re.S
        )
        for number, text in passage.findall(prompt):
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                if words & set(re.findall(r"\w+", sentence.lower())):
                    return f"{sentence.rstrip('.')} [{number}]."
        english = "(Answer briefly in English.)" in prompt.rsplit("<|im_start|>user", 1)[-1]
        return REFUSAL["en" if english else "id"]

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
        self.prompts.append(prompt)
        words = self._compose(prompt).split(" ")
        try:
            for i, word in enumerate(words[:max_tokens]):
                if self.delay:
                    time.sleep(self.delay)
                yield word if i == 0 else " " + word
        except GeneratorExit:
            self.cancelled.set()
            raise


class ReluctantGenerator(FakeGenerator):
    """Refuses at first; asked again without the refusal as first word, it answers from the
    passages (or with ``second``)."""

    def __init__(self, second: str | None = None) -> None:
        super().__init__()
        self.second = second
        self.avoided: list[str] = []

    def stream(self, prompt: str, max_tokens: int):
        self.prompts.append(prompt)
        yield from ["Artikel", " tidak", " menyebutkan", " hal", " itu."]

    def stream_avoiding(self, prompt: str, max_tokens: int, first_words):
        self.avoided = list(first_words)
        self.reply = self.second
        return super().stream(prompt, max_tokens)


class EchoingGenerator(ReluctantGenerator):
    """Says the question back (or ``first``) at first; asked again, it answers (``second``, or
    by quoting a passage)."""

    def __init__(
        self, second: str | None = None, first: str = "Menggelar karpet merah untuk Putin."
    ) -> None:
        super().__init__(second)
        self.first = first

    def stream(self, prompt: str, max_tokens: int):
        self.prompts.append(prompt)
        words = self.first.split(" ")
        yield from [w if i == 0 else " " + w for i, w in enumerate(words)]


class ScriptedGenerator(FakeGenerator):
    """Replays scripted replies in order, one per answer it is asked for (a first try, then a
    second try), like simonw/llm's ``MockModel.enqueue``: a test says what the model writes,
    not how a prompt is parsed. Records the prompts and the first words a second try avoided."""

    def __init__(self, *replies: str) -> None:
        super().__init__()
        self.queue: list[str] = list(replies)
        self.avoided: list[list[str]] = []

    def enqueue(self, *replies: str) -> ScriptedGenerator:
        self.queue.extend(replies)
        return self

    def _compose(self, prompt: str) -> str:
        if not self.queue:
            raise AssertionError("the model was asked for more answers than were scripted")
        return self.queue.pop(0)

    def stream_avoiding(self, prompt: str, max_tokens: int, first_words):
        self.avoided.append(list(first_words))
        return self.stream(prompt, max_tokens)


_TRANSLATION_RULES = (TO_ENGLISH_RULES, TO_INDONESIAN_RULES)


class ScriptedTranslator(FakeGenerator):
    """Translates by a script (the user's text to its translation); answers as the fake does."""

    def __init__(self, script: dict[str, str]) -> None:
        super().__init__()
        self.script = script

    def _compose(self, prompt: str) -> str:
        text = prompt.split("<|im_start|>user\n")[1].split("<|im_end|>")[0]
        if any(prompt.startswith(f"<|im_start|>system\n{r}") for r in _TRANSLATION_RULES):
            return self.script.get(text, text)
        return super()._compose(prompt)
