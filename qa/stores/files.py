"""The files store: today's FAISS + BM25 folder (``qa.store``) behind the store protocol."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa import store
from qa.chunking import ChunkingParams
from qa.corpus import Article, KnownFile
from qa.embedding import Embedder
from qa.retrieval import Retriever
from qa.stores.base import Progress


@dataclass(frozen=True)
class FilesStore:
    index_dir: Path

    def describe(self) -> str:
        return str(self.index_dir)

    def load(self) -> store.Index:
        return store.load_index(self.index_dir)

    def searcher(
        self, index: store.Index, embedder: Embedder | None, dense_weight: float, depth: int
    ) -> Retriever:
        return Retriever(index, embedder, dense_weight, depth)

    def update(
        self,
        articles: list[Article],
        embedder: Embedder,
        params: ChunkingParams,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        warn: Callable[[str], None] = lambda _m: None,
    ) -> store.UpdateReport:
        return store.update_index(
            self.index_dir,
            articles,
            embedder,
            params,
            rebuild=rebuild,
            progress=progress,
            warn=warn,
        )

    def known_files(self) -> dict[str, KnownFile]:
        return store.known_files(self.index_dir)

    def states_dir(self) -> Path:
        return store.states_dir(self.index_dir)
