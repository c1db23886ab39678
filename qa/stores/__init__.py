"""Where the index lives: named stores in one registry, chosen by ``--store`` / ``QA_STORE``.

``files`` (the default) is the FAISS + BM25 folder of ``qa.store``; ``milvus:PATH.db`` is an
embedded Milvus Lite file and ``http(s)://host:port`` a Milvus server or cluster
(``qa.stores.milvus``). Each store gives the engine the same things: load the live index, a
retriever over it, an update from the articles, and what the index knows about article files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.stores.specs import STORE_SPECS, store_name

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.stores.base import Store


@dataclass(frozen=True)
class StoreKind:
    """One kind of store: which ``--store`` values it takes and how to open it."""

    name: str
    example: str
    accepts: Callable[[str], bool]
    open: Callable[[Settings], Store]


def _files(settings: Settings) -> Store:
    from qa.stores.files import FilesStore

    return FilesStore(settings.index_dir)


def _milvus(settings: Settings) -> Store:
    from qa.stores.milvus import MilvusStore

    return MilvusStore.from_settings(settings)


_OPENERS: dict[str, Callable[[Settings], Store]] = {"files": _files, "milvus": _milvus}
STORES: dict[str, StoreKind] = {
    name: StoreKind(name, example, accepts, _OPENERS[name])
    for name, (example, accepts) in STORE_SPECS.items()
}


def store_kind(spec: str) -> StoreKind:
    """The registered kind that takes ``spec``; one line naming the choices otherwise."""
    return STORES[store_name(spec)]


def open_store(settings: Settings) -> Store:
    return store_kind(settings.store).open(settings)
