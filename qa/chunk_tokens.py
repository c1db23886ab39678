"""Every chunk's BM25 tokens, saved with an index version so an update tokenises only new chunks.

Stemming is the slow half of building the lexical index (Sastrawi, ~4,000 passages/s cold): at
100,000 passages, re-tokenising everything to add one article costs more than everything else
together. The table is three plain files (no pickle): the vocabulary as JSON, and every chunk's
token ids and row offsets as ``.npy`` arrays read with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.lexical import TOKENIZER_VERSION

_VOCAB, _IDS, _OFFSETS = "tokens.vocab.json", "tokens.ids.npy", "tokens.offsets.npy"


@dataclass(frozen=True)
class TokenTable:
    """Rows of tokens: row ``i`` is ``vocab[ids[offsets[i]:offsets[i + 1]]]``."""

    vocab: tuple[str, ...]
    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, one more than there are rows
    tokenizer: int = TOKENIZER_VERSION

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, i: int) -> list[str]:
        return [self.vocab[t] for t in self.ids[self.offsets[i] : self.offsets[i + 1]]]

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[str]]) -> TokenTable:
        index: dict[str, int] = {}
        ids: list[int] = []
        offsets = [0]
        for tokens in rows:
            ids.extend(index.setdefault(t, len(index)) for t in tokens)
            offsets.append(len(ids))
        return cls(tuple(index), np.asarray(ids, np.int32), np.asarray(offsets, np.int64))

    @classmethod
    def merge(cls, old: TokenTable | None, parts: Sequence[int | Sequence[str]]) -> TokenTable:
        """A table whose rows are ``old``'s row ``i`` for each int in ``parts`` and the given
        tokens for each list: kept rows are copied as ids (numpy slices), never as strings.
        Words no row uses any more leave the vocabulary."""
        index: dict[str, int] = {word: i for i, word in enumerate(old.vocab)} if old else {}
        pieces: list[np.ndarray] = []
        for part in parts:
            if isinstance(part, int):
                pieces.append(old.ids[old.offsets[part] : old.offsets[part + 1]])  # type: ignore[union-attr]
            else:
                new = (index.setdefault(t, len(index)) for t in part)
                pieces.append(np.fromiter(new, np.int32))
        lengths = np.fromiter((len(p) for p in pieces), np.int64, len(pieces))
        offsets = np.concatenate([np.zeros(1, np.int64), np.cumsum(lengths)])
        ids = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
        words = list(index)
        used = np.flatnonzero(np.bincount(ids, minlength=len(words)))
        remap = np.zeros(len(words), np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        return cls(tuple(words[i] for i in used), remap[ids], offsets)

    def rows(self) -> list[np.ndarray]:
        return np.split(self.ids, self.offsets[1:-1]) if len(self) else []

    def save(self, directory: Path) -> None:
        meta = {"tokenizer": self.tokenizer, "vocab": list(self.vocab)}
        (directory / _VOCAB).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.save(directory / _IDS, self.ids, allow_pickle=False)
        np.save(directory / _OFFSETS, self.offsets, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> TokenTable | None:
        """The saved table, or None when the version has none or another tokenizer wrote it."""
        try:
            meta = json.loads((directory / _VOCAB).read_text(encoding="utf-8"))
            if meta.get("tokenizer") != TOKENIZER_VERSION:
                return None
            ids = np.load(directory / _IDS, allow_pickle=False)
            offsets = np.load(directory / _OFFSETS, allow_pickle=False)
        except (OSError, ValueError):
            return None
        table = cls(tuple(meta["vocab"]), ids, offsets)
        if (
            not len(offsets)
            or offsets[-1] != len(ids)
            or (len(ids) and ids.max() >= len(meta["vocab"]))
        ):
            return None
        return table
