"""What every index store gives the engine (``qa.stores``): a protocol, so stores stay apart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qa.chunking import ChunkingParams
from qa.corpus import Article, KnownFile
from qa.embedding import Embedder
from qa.progress import Progress
from qa.store import UpdateReport

if TYPE_CHECKING:
    import numpy as np


class Searcher(Protocol):
    """Ranks an index's chunks for a query (``qa.retrieval.Retriever`` for the files store).

    ``rows`` and ``docs``, when given, limit the search to a scope's articles
    (``qa.scope.ScopeRows``): their chunk rows in ``index.chunks`` and their ids."""

    def search(
        self,
        query: str,
        k: int,
        rows: np.ndarray | None = None,
        docs: Sequence[str] | None = None,
    ) -> list[Any]: ...

    def scores(self, query: str, rows: np.ndarray | None = None) -> Any: ...


class Store(Protocol):
    """A place the index lives; every failure a user can fix is a one-line ``QAError``."""

    def describe(self) -> str: ...

    def load(self) -> Any:
        """The live index: ``manifest`` (embedder, docs), ``chunks``, ``size``, ``complete``,
        ``version`` and ``lexical.share``."""

    def searcher(
        self, index: Any, embedder: Embedder | None, dense_weight: float, depth: int
    ) -> Searcher: ...

    def update(
        self,
        articles: list[Article],
        embedder: Embedder,
        params: ChunkingParams,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        warn: Callable[[str], None] = lambda _m: None,
    ) -> UpdateReport: ...

    def known_files(self) -> dict[str, KnownFile]: ...

    def states_dir(self) -> Path:
        """Where saved model states for this index's prompts go."""
        ...
