"""The Milvus store: the index as a Milvus collection, embedded (Milvus Lite) or on a server.

``milvus:PATH.db`` opens an embedded Milvus Lite file; ``http(s)://host:port`` a Milvus
Standalone or Distributed server, with the token from ``QA_MILVUS_TOKEN``. The index is
the alias ``qa_<index name>`` (from ``--index``'s last part); each ``qa index`` writes a new
collection ``<alias>__v<stamp>`` (kept articles' rows copied with their vectors, new and changed
ones embedded, removed ones left out) and only then moves the alias to it, so an interrupted
``qa index`` leaves the alias on the old version, answering as before. A second writer is refused
by a lock: a lock file beside a Lite file, a second alias (``<alias>__writer``) on a server.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from qa.chunking import Chunk, ChunkingParams, chunk_article
from qa.corpus import Article, KnownFile
from qa.embedding import Embedder
from qa.errors import (
    IndexBusyError,
    IndexMissingError,
    InputError,
    QAError,
    StoreAuthError,
    StoreUnreachableError,
)
from qa.lexical import chunk_tokens
from qa.store import UpdateReport
from qa.stores.base import Progress
from qa.stores.milvus_schema import (
    BATCH,
    DOC_FIELDS,
    ROW_FIELDS,
    TERMS,
    VersionInfo,
    chunk_row,
    create_collection,
    milvus_term,
    read_info,
    row_doc,
    rows,
    set_info,
    terms_collection,
    write_terms,
)
from qa.untrusted import for_terminal

# Set before pymilvus loads gRPC. Its C-core log lines (a Lite server's "too_many_pings" while the
# model writes) would reach the terminal around the answer: qa reports failures in one line. Its
# fork handlers abort a child forked while its threads run (a subprocess with ``preexec_fn``).
os.environ.setdefault("GRPC_VERBOSITY", "NONE")
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

TOKEN_ENV = "QA_MILVUS_TOKEN"
TIMEOUT_S = 10.0  # to connect: an unreachable server fails in seconds, not minutes
_BATCH = BATCH  # rows per insert and per page read
_CLIENTS: dict[tuple[str, str], Any] = {}  # (URI, token digest) -> the process's client
_AUTH_WORDS = (
    "authenticat",
    "auth check",
    "unauthori",
    "credential",
    "password",
    "invalid token",
    "api key",
)
_NETWORK_WORDS = ("connect", "unavailable", "deadline", "timeout", "timed out", "refused", "dns")


@dataclass(frozen=True)
class MilvusStore:
    uri: str  # a Lite file path or a server URL
    alias: str  # the index's name in Milvus: always the live version
    cache_dir: Path

    @classmethod
    def from_settings(cls, settings: Any) -> MilvusStore:
        spec: str = settings.store
        if spec.startswith("milvus:"):
            path = Path(spec.removeprefix("milvus:")).expanduser()
            if path.suffix != ".db" or not path.name[: -len(".db")]:
                raise InputError(f"a Milvus Lite store is a .db file (milvus:PATH.db), not {spec}")
            uri = str(path.resolve())
        else:
            uri = spec
        name = re.sub(r"\W", "_", Path(settings.index_dir).name, flags=re.ASCII) or "index"
        return cls(uri, f"qa_{name}"[:200], Path(settings.cache_dir))

    @property
    def lite(self) -> bool:
        return not self.uri.startswith(("http://", "https://"))

    def describe(self) -> str:
        where = self.uri if not self.lite else f"milvus:{self.uri}"
        return f"{self.alias} in {where}"

    # ------------------------------------------------------------ connecting

    def client(self) -> Any:
        """The process's connected client for this URI (one per process: Milvus Lite lets
        only one open its file, and a closed Lite client holds the file a while longer); one
        line for an unreachable server or a refused token."""
        token = os.environ.get(TOKEN_ENV, "")
        key = (self.uri, hashlib.sha256(token.encode()).hexdigest())
        if key in _CLIENTS:
            return _CLIENTS[key]
        if self.lite and not Path(self.uri).parent.is_dir():
            raise InputError(f"folder {Path(self.uri).parent} does not exist; create it first")
        try:
            from pymilvus import MilvusClient  # sets up its loggers: quieted after

            for name in ("pymilvus", "milvus_lite"):  # their error logs: qa says it in one line
                logging.getLogger(name).setLevel(logging.CRITICAL)
            client = MilvusClient(uri=self.uri, token=token, timeout=TIMEOUT_S)
        except Exception as exc:  # pymilvus raises MilvusException, grpc errors, OSError
            raise self.failure(exc) from None
        _CLIENTS[key] = client
        return client

    def failure(self, exc: BaseException, connecting: bool = True) -> BaseException:
        """What a failed call to Milvus means for the user, in one line; anything else (a bug
        here, not the user's to fix) as it was, when not ``connecting``."""
        if isinstance(exc, QAError):
            return exc
        text = " ".join(str(getattr(exc, "message", "") or exc).split())
        lower = " ".join(str(e).lower() for e in _chain(exc))
        where = for_terminal(self.uri, one_line=True)
        if any(w in lower for w in _AUTH_WORDS):
            return StoreAuthError(
                f"Milvus at {where} refused the credentials; set {TOKEN_ENV} to a valid "
                "token (user:password or an API key)"
            )
        if self.lite and connecting and ("holds the lock" in lower or _lite_locked(self.uri)):
            return IndexBusyError(
                f"the Milvus Lite file {where} is open in another process; wait for it to "
                "finish (Lite allows one process at a time; use a Milvus server to share it)"
            )
        if not connecting and not any(w in lower for w in _NETWORK_WORDS):
            return exc
        reason = for_terminal(text[:160], one_line=True) or exc.__class__.__name__
        return StoreUnreachableError(
            f"cannot reach Milvus at {where} ({reason}); start the server or fix --store / QA_STORE"
        )

    @contextlib.contextmanager
    def session(self) -> Iterator[Any]:
        """The client, with Milvus's failures the user can fix turned into one line."""
        client = self.client()
        try:
            yield client
        except (QAError, KeyboardInterrupt):
            raise
        except Exception as exc:
            failure = self.failure(exc, connecting=False)
            if failure is exc:
                raise
            raise failure from None

    # ------------------------------------------------------------ reading

    def live(self, client: Any) -> str | None:
        """The collection the alias names, None before the first ``qa index``."""
        try:
            if self.alias not in client.list_aliases().get("aliases", []):
                return None
            return str(client.describe_alias(self.alias)["collection_name"])
        except Exception as exc:
            raise self.failure(exc) from None  # the first call: a server's errors show here

    def info(self, client: Any, collection: str) -> VersionInfo:
        info = read_info(client, collection)
        if info is None:
            raise IndexMissingError(
                f"Milvus collection {collection} was not written by qa; run `qa index --rebuild`"
            )
        return info

    def load(self) -> Any:
        from qa.stores.milvus_index import MilvusIndex

        client = self.client()
        try:
            collection = self.live(client)
            if collection is None:
                raise IndexMissingError(f"no index {self.describe()}; run `qa index` to build it")
            info = self.info(client, collection)
            client.load_collection(collection)
            with contextlib.suppress(Exception):  # written by every qa index; else counted
                client.load_collection(terms_collection(collection))
        except QAError:
            raise
        except Exception as exc:
            failure = self.failure(exc, connecting=False)
            if failure is exc:
                raise
            raise failure from None
        return MilvusIndex(self, client, collection, info)

    def searcher(
        self, index: Any, embedder: Embedder | None, dense_weight: float, depth: int
    ) -> Any:
        from qa.stores.milvus_index import MilvusSearcher

        return MilvusSearcher(index, embedder, dense_weight, depth)

    def docs(self, client: Any, collection: str) -> dict[str, dict[str, Any]]:
        """Each article's record (hash, title, stamp, metadata) and chunk count, from its rows."""
        docs: dict[str, dict[str, Any]] = {}
        for row in rows(client, collection, DOC_FIELDS):
            entry = docs.get(row["doc"])
            if entry is None:
                entry = docs[row["doc"]] = {**row_doc(row), "chunks": 0}
            entry["chunks"] += 1
        return docs

    def known_files(self) -> dict[str, KnownFile]:
        from qa.article_meta import meta_of

        try:
            with self.session() as client:
                live = self.live(client)
                docs = self.docs(client, live) if live else {}
        except IndexBusyError:
            return {}  # Lite held by another process: the update itself says so
        return {
            doc: KnownFile(tuple(e["stamp"]), e["sha256"], e["title"], meta_of(e))
            for doc, e in docs.items()
            if e.get("stamp")
        }

    def states_dir(self) -> Path:
        digest = hashlib.sha256(f"{self.uri}\n{self.alias}".encode()).hexdigest()[:16]
        return self.cache_dir / "kv" / f"milvus-{digest}"

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def write_lock(self, client: Any) -> Iterator[WriterLock]:
        """Held while writing: a lock file beside a Lite file, taken at once; on a server the
        alias ``<alias>__writer``, taken (``WriterLock.take``) on the writer's new collection (an
        alias must name one; each writer's is its own, so a second writer's alias is refused)."""
        lock = WriterLock(self, client, server=not self.lite)
        if not self.lite:
            try:
                yield lock
            finally:
                lock.release()
            return
        import fcntl

        with Path(self.uri + ".qa-lock").open("w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise self._busy() from None
            try:
                yield lock
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _busy(self) -> IndexBusyError:
        extra = "" if self.lite else f" (if none is running, drop the alias {self.alias}__writer)"
        return IndexBusyError(
            f"another `qa index` is writing {self.describe()}; wait for it to finish{extra}"
        )

    def _versions(self, client: Any) -> list[str]:
        """The collections qa wrote for this index (finished or not), and their word counts."""
        version = re.compile(re.escape(self.alias) + r"__v\d+_\d+_\d+(?:" + TERMS + ")?")
        return [c for c in client.list_collections() if version.fullmatch(c)]

    def remove_leftovers(self, client: Any, keep: set[str | None]) -> None:
        """Drop versions an interrupted or superseded write left: every one of this index's
        collections that qa wrote and is not in ``keep`` (the live one, the one being written).
        Called with the writer lock held, so no other writer's version is taken for one."""
        for name in self._versions(client):
            if name.removesuffix(TERMS) in keep:
                continue
            with contextlib.suppress(Exception):
                if read_info(client, name) is not None:
                    client.drop_collection(name)

    def update(
        self,
        articles: list[Article],
        embedder: Embedder,
        params: ChunkingParams,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        warn: Callable[[str], None] = lambda _m: None,
        batch_size: int = 32,
    ) -> UpdateReport:
        """Bring the index up to date with ``articles``, embedding only new and changed ones."""
        with self.session() as client, self.write_lock(client) as lock:
            live = self.live(client)
            reason = "requested" if rebuild and live else ""
            old_docs: dict[str, dict[str, Any]] = {}
            if live and not rebuild:
                info = self.info(client, live)
                if info.embedder != embedder.name:
                    reason = f"embedder changed from {info.embedder} to {embedder.name}"
                elif info.chunking != params.as_dict():
                    reason = "chunking settings changed"
                else:
                    old_docs = self.docs(client, live)
            plan = _plan(articles, old_docs, params, warn)
            report = dict(
                added=tuple(plan.added),
                updated=tuple(plan.updated),
                removed=tuple(sorted(set(old_docs) - {a.doc for a in articles})),
                kept=tuple(plan.kept),
                chunks=plan.kept_chunks + len(plan.fresh),
                embedded=len(plan.fresh),
                rebuilt_because=reason,
            )
            if old_docs and not plan.added and not plan.updated and not report["removed"]:
                return UpdateReport(**report, written=False)  # type: ignore[arg-type]
            dim = _dimension(embedder, plan.fresh, old_docs, client, live)
            info = VersionInfo(
                embedder=embedder.name,
                dim=dim,
                chunking=params.as_dict(),
                articles=len(plan.records),
                chunks=int(report["chunks"]),  # type: ignore[call-overload]
                created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            )
            name = self._new_version_name()
            create_collection(client, name, info, lite=self.lite)
            try:
                lock.take(name, live)
                self.remove_leftovers(client, {live, name})
                counts: Counter[str] = Counter()
                tokens = 0
                if plan.kept:
                    kept = set(plan.kept)
                    tokens += copy_rows(client, live, name, kept, counts)  # type: ignore[arg-type]
                tokens += insert_fresh(client, name, plan, embedder, progress, batch_size, counts)
                final = replace(info, tokens=tokens)
                set_info(client, name, final)
                write_terms(client, name, counts, final)
                self.publish(client, name, live)
            except BaseException:
                _abandon(client, name, lock)
                raise
            return UpdateReport(**report)  # type: ignore[arg-type]

    def _new_version_name(self) -> str:
        stamp = time.strftime("%Y%m%d%H%M%S")
        return f"{self.alias}__v{stamp}_{os.getpid()}_{time.monotonic_ns() % 10**6}"

    def publish(self, client: Any, name: str, live: str | None) -> None:
        """Make ``name`` the live version (its rows flushed and loaded first), drop the old."""
        client.flush(name)
        client.load_collection(name)
        if live is None:
            client.create_alias(name, self.alias)
        else:
            client.alter_alias(name, self.alias)
            for old in (live, terms_collection(live)):
                with contextlib.suppress(Exception):
                    client.drop_collection(old)

    def write_index(
        self,
        info: VersionInfo,
        rows_in: Iterator[list[dict[str, Any]]],
        counts: dict[str, int],
    ) -> str:
        """A new version from ready rows (``--from-files``), published when complete."""
        with self.session() as client, self.write_lock(client) as lock:
            live = self.live(client)
            name = self._new_version_name()
            create_collection(client, name, info, lite=self.lite)
            try:
                lock.take(name, live)
                self.remove_leftovers(client, {live, name})
                for batch in rows_in:
                    client.insert(name, batch)
                write_terms(client, name, counts, info)
                self.publish(client, name, live)
            except BaseException:
                _abandon(client, name, lock)
                raise
            return name


class WriterLock:
    """A server's writer lock (``MilvusStore.write_lock``); on Lite the file lock is held
    already and ``take`` only checks that no other writer switched the alias meanwhile."""

    def __init__(self, store: MilvusStore, client: Any, *, server: bool) -> None:
        self.store, self.client, self.server = store, client, server
        self.alias = f"{store.alias}__writer"
        self.held = False

    def take(self, collection: str, planned_on: str | None) -> None:
        """Lock on ``collection``; refused when another writer holds it, or switched the index
        since this one read it (``planned_on``)."""
        if self.server:
            if self.alias in self.client.list_aliases().get("aliases", []):
                raise self.store._busy()
            try:
                self.client.create_alias(collection, self.alias)
            except Exception:
                raise self.store._busy() from None
            if self.client.describe_alias(self.alias)["collection_name"] != collection:
                raise self.store._busy()
            self.held = True
        if self.store.live(self.client) != planned_on:
            raise IndexBusyError(
                f"another `qa index` updated {self.store.describe()} meanwhile; run it again"
            )

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(Exception):
                self.client.drop_alias(self.alias)
            self.held = False


def close_clients() -> None:
    """Close the process's clients (a Lite file is then free for another process)."""
    while _CLIENTS:
        _, client = _CLIENTS.popitem()
        with contextlib.suppress(Exception):
            client.close()


def _lite_locked(uri: str) -> bool:
    """Whether another process holds Milvus Lite's lock on ``db`` (a folder with a ``LOCK``
    file), asked after opening failed: pymilvus reports that only as "Open local milvus failed"."""
    import fcntl

    try:
        fd = os.open(Path(uri) / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it was raised from (pymilvus wraps Lite's own)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


@dataclass
class _Plan:
    added: list[str]
    updated: list[str]
    kept: list[str]
    kept_chunks: int
    fresh: list[Chunk]
    records: dict[str, dict[str, Any]]  # doc -> hash, stamp, metadata


def _plan(
    articles: list[Article],
    old_docs: dict[str, dict[str, Any]],
    params: ChunkingParams,
    warn: Callable[[str], None],
) -> _Plan:
    """Which articles are kept (same content hash), added or updated; the chunks to embed."""
    plan = _Plan([], [], [], 0, [], {})
    for article in articles:
        previous = old_docs.get(article.doc)
        record = {"sha256": article.sha256, "stamp": list(article.stamp), **article.meta.as_dict()}
        if previous is not None and previous["sha256"] == article.sha256:
            plan.kept.append(article.doc)
            plan.kept_chunks += previous["chunks"]
            plan.records[article.doc] = record
            continue
        try:
            article = article.read()
        except (OSError, ValueError) as exc:
            warn(f"skipped {for_terminal(article.doc, one_line=True)}: {exc}")
            continue
        (plan.updated if previous is not None else plan.added).append(article.doc)
        plan.records[article.doc] = {**record, "sha256": article.sha256}
        plan.fresh.extend(chunk_article(article, params))
    return plan


def _dimension(
    embedder: Embedder, fresh: list[Chunk], old: dict[str, Any], client: Any, live: str | None
) -> int:
    dim = getattr(embedder, "dim", None)
    if isinstance(dim, int) and dim > 0:
        return dim
    if old and live:
        return read_info(client, live).dim  # type: ignore[union-attr]
    return int(np.asarray(embedder.embed([fresh[0].text if fresh else "x"])).shape[1])


def copy_rows(client: Any, source: str, target: str, docs: set[str], counts: Counter[str]) -> int:
    """The kept articles' rows, vectors and tokens as they are: nothing is embedded again.
    Returns the BM25 tokens copied; ``counts`` gains each word's chunks."""
    batch: list[dict[str, Any]] = []
    tokens = 0
    for row in rows(client, source, ROW_FIELDS):
        if row["doc"] in docs:
            batch.append({k: row[k] for k in ROW_FIELDS})
            words = row["lexical"].split()
            tokens += len(words)
            counts.update(set(words))
            if len(batch) >= _BATCH:
                client.insert(target, batch)
                batch = []
    if batch:
        client.insert(target, batch)
    return tokens


def insert_fresh(
    client: Any,
    target: str,
    plan: _Plan,
    embedder: Embedder,
    progress: Progress | None,
    batch_size: int,
    counts: Counter[str],
) -> int:
    """Embed and insert the new and changed articles' chunks; returns their BM25 tokens, and
    ``counts`` gains each word's chunks."""
    total, tokens = len(plan.fresh), 0
    if progress:
        progress(0, total)
    for start in range(0, total, batch_size):
        part = plan.fresh[start : start + batch_size]
        vectors = np.asarray(embedder.embed([c.text for c in part]), dtype=np.float32)
        words = [chunk_tokens(c.text) for c in part]
        tokens += sum(map(len, words))
        for row_words in words:
            counts.update({milvus_term(w) for w in row_words})
        client.insert(
            target,
            [
                chunk_row(c, v, plan.records[c.doc], w)
                for c, v, w in zip(part, vectors, words, strict=True)
            ],
        )
        if progress:
            progress(min(start + batch_size, total), total)
    return tokens


def from_files(settings: Any, progress: Progress | None = None) -> tuple[str, int, int]:
    """Move the files index at ``settings.index_dir`` into the Milvus store ``settings.store``:
    its vectors, tokens and chunk records as they are, nothing embedded. Returns the store's
    description and the articles and chunks moved."""
    from qa.chunk_tokens import TokenTable
    from qa.store import load_index

    index = load_index(settings.index_dir)
    target = MilvusStore.from_settings(settings)
    vectors = index.vectors()
    table = TokenTable.load(index.path / "lexical")
    words = [
        table.row(i) if table is not None else chunk_tokens(c.text)
        for i, c in enumerate(index.chunks)
    ]
    manifest = index.manifest
    info = VersionInfo(
        embedder=manifest.embedder,
        dim=manifest.dim,
        chunking=manifest.chunking,
        articles=len(manifest.docs),
        chunks=len(index.chunks),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        tokens=sum(map(len, words)),
    )

    def batches() -> Iterator[list[dict[str, Any]]]:
        total = len(index.chunks)
        for start in range(0, total, _BATCH):
            yield [
                chunk_row(chunk, vectors[i], manifest.docs[chunk.doc], words[i])
                for i, chunk in enumerate(index.chunks[start : start + _BATCH], start)
            ]
            if progress:
                progress(min(start + _BATCH, total), total)

    counts: Counter[str] = Counter()
    for row_words in words:
        counts.update({milvus_term(w) for w in row_words})
    target.write_index(info, batches(), counts)
    return target.describe(), len(manifest.docs), len(index.chunks)


def _abandon(client: Any, name: str, lock: Any) -> None:
    """Drop an unfinished version and its word counts after a failed or interrupted write; the
    lock goes first (its alias on the new version would keep that from being dropped)."""
    lock.release()
    for unfinished in (name, terms_collection(name)):
        with contextlib.suppress(Exception):
            client.drop_collection(unfinished)
