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

from qa.errors import InputError

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


STORES: dict[str, StoreKind] = {
    kind.name: kind
    for kind in (
        StoreKind("files", "files", lambda spec: spec == "files", _files),
        StoreKind(
            "milvus",
            "milvus:PATH.db or http://host:19530",
            lambda spec: spec.startswith(("milvus:", "http://", "https://")),
            _milvus,
        ),
    )
}


def store_kind(spec: str) -> StoreKind:
    """The registered kind that takes ``spec``; one line naming the choices otherwise."""
    for kind in STORES.values():
        if kind.accepts(spec):
            return kind
    choices = ", ".join(kind.example for kind in STORES.values())
    raise InputError(f"unknown store {spec!r}; use one of: {choices} (--store or QA_STORE)")


def open_store(settings: Settings) -> Store:
    return store_kind(settings.store).open(settings)
