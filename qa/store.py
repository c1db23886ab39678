"""The index on disk: FAISS vectors, BM25, chunk metadata and a manifest, replaced atomically.

Layout under the index directory::

    .qa-index          marker: this folder is a qa index (qa index writes only into such a folder)
    CURRENT            name of the live version directory (replaced with os.replace: atomic)
    v-<stamp>/         .qa-version, manifest.json, docs.jsonl, chunks.jsonl, dense.faiss,
                       lexical/ (bm25s)
    kv/                saved model states for prompt prefixes, shared by every version
    .lock              held while writing, so two writers cannot interleave

A writer builds a complete new version directory, fsyncs it and only then points CURRENT at it, so a
reader (or a crash at any moment) always sees either the old index or the new one, never a mix.
``qa index`` deletes only what it can prove it wrote: version folders holding its own
``.qa-version`` marker (or, from before the marker, its own manifest), and its own temp files whose
writer is gone. It refuses to write into a non-empty folder that is not a qa index.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa.article_meta import meta_of
from qa.atomic import file_sha256, remove_stale_temps, write_atomic
from qa.chunk_rows import ChunkRows, chunk_line, group_rows
from qa.chunk_tokens import TokenTable
from qa.chunking import Chunk, ChunkingParams, chunk_article
from qa.corpus import Article, KnownFile
from qa.dense_index import build_dense_index
from qa.doc_records import DOCS_FILE, DocRecords, write_records
from qa.embedding import Embedder
from qa.errors import IndexBusyError, IndexCorruptError, IndexMissingError, InputError
from qa.lexical import TOKENIZER_VERSION, LexicalIndex, chunk_tokens
from qa.progress import Progress
from qa.untrusted import for_terminal

FORMAT_VERSION = 1
CURRENT = "CURRENT"
MARKER = ".qa-index"  # in the index folder: qa wrote it
VERSION_MARKER = ".qa-version"  # in each version folder: qa wrote it
STATES = "kv"
_VERSION = re.compile(r"v-\d{8}T\d{6}-\d+-\d+")
# What an empty folder may hold before it becomes an index (a repository keeps ``indexes/``).
_IGNORABLE = {".gitkeep", ".DS_Store"}


@dataclass(frozen=True)
class Manifest:
    embedder: str
    dim: int
    chunking: dict[str, Any]
    docs: Mapping[str, dict[str, Any]]  # doc -> {"sha256", "title", "chunks", ...}
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # relpath -> {"size", "sha256"}
    created: str = ""
    format: int = FORMAT_VERSION

    def to_json(self) -> str:
        """``manifest.json``: all but the article records, which go to ``docs.jsonl`` (a question
        reads the few it cites; ``qa.doc_records``). An index written before that kept them
        here, under "docs", and still loads."""
        head = {k: v for k, v in self.__dict__.items() if k != "docs"}
        return json.dumps(head, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Index:
    """A loaded index; ``chunks[i]`` is row ``i`` of ``dense`` and of ``lexical``."""

    path: Path
    manifest: Manifest
    chunks: Sequence[Chunk]  # a ``ChunkRows`` when read from disk: rows parse when first used
    dense: Any  # faiss.Index
    lexical: LexicalIndex

    @property
    def version(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return len(self.chunks)

    @property
    def complete(self) -> bool:
        """``chunks`` holds every chunk (a Milvus index may hold only a sample)."""
        return True

    def vectors(self) -> np.ndarray:
        return (
            self.dense.reconstruct_n(0, self.dense.ntotal)
            if self.dense.ntotal
            else np.zeros((0, self.manifest.dim), dtype=np.float32)
        )


@dataclass(frozen=True)
class UpdateReport:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]
    chunks: int
    embedded: int
    rebuilt_because: str = ""
    written: bool = True
    path: Path | None = None

    def summary(self) -> str:
        parts = [
            f"added {len(self.added)}",
            f"updated {len(self.updated)}",
            f"removed {len(self.removed)}",
            f"kept {len(self.kept)}",
        ]
        head = "index up to date" if not self.written else "index written"
        why = f" (full rebuild: {self.rebuilt_because})" if self.rebuilt_because else ""
        counts = f"{self.chunks} chunks, {self.embedded} embedded"
        return f"{head}{why}: {', '.join(parts)} articles; {counts}"


# ---------------------------------------------------------------- reading


def _version_name(index_dir: Path) -> str:
    """The live version's name from CURRENT; one-line errors for a missing or garbled pointer."""
    pointer = index_dir / CURRENT
    if index_dir.exists() and not index_dir.is_dir():
        raise InputError(f"{index_dir} is a file, not an index folder; point --index at a folder")
    if not pointer.is_file():
        raise IndexMissingError(f"no index in {index_dir}; run `qa index` to build it")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        name = ""
    if not _VERSION.fullmatch(name) or not (index_dir / name).is_dir():
        raise IndexCorruptError(
            f"the index in {index_dir} points at a missing version; run `qa index --rebuild`"
        )
    return name


def current_version_dir(index_dir: Path) -> Path:
    return index_dir / _version_name(index_dir)


def load_index(index_dir: Path) -> Index:
    """Load and verify the live index; every failure is a one-line ``QAError``.

    The version is picked once from CURRENT. If a writer switched versions (and removed the old
    one) while it was being read, the read is retried once on the new version.
    """
    name = _version_name(index_dir)
    try:
        return load_version(index_dir / name, index_dir)
    except IndexCorruptError:
        try:
            again = _version_name(index_dir)
        except IndexCorruptError:
            again = name
        if again == name:
            raise
        return load_version(index_dir / again, index_dir)


def load_version(path: Path, index_dir: Path) -> Index:
    """Load and verify one version folder."""
    fix = f"run `qa index --rebuild --index {index_dir}`"
    manifest = _verified_manifest(path, fix)
    try:
        import faiss

        dense = faiss.read_index(str(path / "dense.faiss"))
        chunks = ChunkRows.read(path / "chunks.jsonl")
        lexical = LexicalIndex.load(path / "lexical")
    except Exception as exc:  # faiss raises RuntimeError, bm25s/json raise many kinds
        raise IndexCorruptError(
            f"the index could not be read ({exc.__class__.__name__}); {fix}"
        ) from None
    if dense.ntotal != len(chunks) or lexical.size != len(chunks) or dense.d != manifest.dim:
        raise IndexCorruptError(f"the index parts disagree in size; {fix}")
    if lexical.tokenizer != TOKENIZER_VERSION:  # written by an older qa: same chunks, new words
        lexical = LexicalIndex.build([c.text for c in chunks])
    return Index(path=path, manifest=manifest, chunks=chunks, dense=dense, lexical=lexical)


# One parsed manifest, keyed by its file's identity: a version folder is never rewritten, and at
# 100,000 articles parsing it costs ~0.7 s, which ``known_files`` and the update would each pay.
_MANIFESTS: dict[tuple[str, int, int, int], dict[str, Any]] = {}


def _manifest_json(path: Path) -> dict[str, Any]:
    """The parsed ``manifest.json`` of a version (shared: callers must not change it)."""
    file = path / "manifest.json"
    st = file.stat()
    key = (str(file), st.st_size, st.st_mtime_ns, st.st_ino)
    raw = _MANIFESTS.get(key)
    if raw is None:
        raw = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("the manifest is not an object")
        _MANIFESTS.clear()
        _MANIFESTS[key] = raw
    return raw


def _docs(path: Path, raw: dict[str, Any]) -> Mapping[str, dict[str, Any]]:
    """A version's article records: in its manifest (written before ``docs.jsonl``) or that
    file, read once per process (``_MANIFESTS``' reasoning)."""
    if "docs" in raw:
        return raw["docs"]  # type: ignore[no-any-return]
    file = path / DOCS_FILE
    st = file.stat()
    key = (str(file), st.st_size, st.st_mtime_ns, st.st_ino)
    records = _RECORDS.get(key)
    if records is None:
        records = DocRecords.read(file)
        _RECORDS.clear()
        _RECORDS[key] = records
    return records


_RECORDS: dict[tuple[str, int, int, int], DocRecords] = {}


def _verified_manifest(path: Path, fix: str) -> Manifest:
    """The version's manifest, once every file it lists has its recorded size and hash."""
    try:
        raw = _manifest_json(path)
        manifest = Manifest(**{"docs": {}, **raw})  # the records are read once verified
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorruptError(
            f"the index manifest is unreadable ({exc.__class__.__name__}); {fix}"
        ) from None
    if manifest.format != FORMAT_VERSION:
        raise IndexCorruptError(f"the index was written by another version of qa; {fix}")
    try:
        for rel, meta in manifest.files.items():
            file = path / rel
            if file.stat().st_size != meta["size"] or file_sha256(file) != meta["sha256"]:
                raise IndexCorruptError(f"index file {rel} is truncated or damaged; {fix}")
    except (OSError, KeyError, TypeError):
        raise IndexCorruptError(f"an index file is missing or unreadable; {fix}") from None
    try:
        docs = _docs(path, raw)
    except (OSError, ValueError, TypeError, KeyError):
        raise IndexCorruptError(f"the index's article records are unreadable; {fix}") from None
    return Manifest(**{**manifest.__dict__, "docs": docs})


@dataclass(frozen=True)
class _Previous:
    """The live version as an update needs it: its manifest, vectors, token table and chunk rows
    with each article's rows. No chunk is parsed and BM25 is not loaded (at 100,000 chunks those
    cost ~1.6 s of adding one article); kept rows are copied, never decoded."""

    path: Path
    manifest: Manifest
    chunks: ChunkRows
    rows: dict[str, list[int]]
    vectors: np.ndarray
    tokens: TokenTable | None  # None: another tokenizer wrote it, kept rows are re-tokenised


def _load_previous(path: Path, index_dir: Path) -> _Previous:
    """One version folder, verified as ``load_version`` does, read for an update."""
    fix = f"run `qa index --rebuild --index {index_dir}`"
    manifest = _verified_manifest(path, fix)
    try:
        import faiss

        dense = faiss.read_index(str(path / "dense.faiss"))
        chunks = ChunkRows.read(path / "chunks.jsonl")
        rows = group_rows(chunks.docs())
    except Exception as exc:  # faiss raises RuntimeError, json raises several kinds
        raise IndexCorruptError(
            f"the index could not be read ({exc.__class__.__name__}); {fix}"
        ) from None
    if dense.ntotal != len(chunks) or (len(chunks) and dense.d != manifest.dim):
        raise IndexCorruptError(f"the index parts disagree in size; {fix}")
    tokens = TokenTable.load(path / "lexical")
    if tokens is not None and len(tokens) != len(chunks):
        tokens = None
    vectors = (
        dense.reconstruct_n(0, dense.ntotal)
        if dense.ntotal
        else np.zeros((0, manifest.dim), dtype=np.float32)
    )
    return _Previous(path, manifest, chunks, rows, vectors, tokens)


def states_dir(index_dir: Path) -> Path:
    """Where saved model states for this index live (beside the versions, shared by them)."""
    return index_dir / STATES


# ---------------------------------------------------------------- writing


def claim_index_dir(index_dir: Path) -> None:
    """Make ``index_dir`` a qa index folder, or refuse with one line if it is someone else's.

    A missing or empty folder is claimed (the marker written); a folder with the marker, or an
    index from before the marker (CURRENT naming a version with qa's manifest), is ours.
    """
    if index_dir.exists() and not index_dir.is_dir():
        raise InputError(f"{index_dir} is a file, not an index folder; point --index at a folder")
    if (index_dir / MARKER).is_file():
        return
    index_dir.mkdir(parents=True, exist_ok=True)
    others = [e.name for e in index_dir.iterdir() if e.name not in _IGNORABLE]
    if others and not _is_legacy_index(index_dir):
        raise InputError(
            f"{index_dir} is not empty and is not a qa index; point --index at an empty or new "
            "folder (qa index would write beside files it did not create)"
        )
    write_atomic(index_dir / MARKER, json.dumps({"app": "qa-news", "format": FORMAT_VERSION}))


def _is_legacy_index(index_dir: Path) -> bool:
    try:
        return _is_ours(current_version_dir(index_dir))
    except (IndexMissingError, IndexCorruptError):
        return False


def _is_ours(version: Path) -> bool:
    """Whether a version folder was written by qa: its marker names it, or (written before the
    marker) it holds qa's manifest."""
    if version.is_symlink() or not version.is_dir():
        return False
    name = version.name.removeprefix(".tmp-")
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if (version / VERSION_MARKER).read_text(encoding="utf-8").strip() == name:
            return True
    try:
        keys = set(json.loads((version / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, UnicodeDecodeError):
        return False
    return {"embedder", "dim", "chunking", "format"} <= keys and (
        "docs" in keys or (version / DOCS_FILE).is_file()
    )


@contextlib.contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock: a second writer gets a clear error instead of waiting."""
    import fcntl

    claim_index_dir(index_dir)
    with (index_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(
                f"another `qa index` is writing {index_dir}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def update_index(
    index_dir: Path,
    articles: list[Article],
    embedder: Embedder,
    params: ChunkingParams,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda _m: None,
    batch_size: int = 32,
) -> UpdateReport:
    """Bring the index up to date with ``articles``, re-embedding only new and changed ones.

    Kept articles cost what copying their rows costs: their vectors by numpy indexing, their
    chunk lines as the old file has them, their BM25 tokens as ids (stemming is the slow half
    of BM25) and their manifest entries as they were, when the file was not even read again.
    """
    with write_lock(index_dir):
        remove_leftovers(index_dir)
        old, reason = None, "requested" if rebuild else ""
        if not rebuild:
            try:
                old = _load_previous(index_dir / _version_name(index_dir), index_dir)
            except IndexMissingError:
                reason = ""
            except IndexCorruptError as exc:
                old = _newest_intact_version(index_dir)
                if old is not None:
                    warn(f"the index pointer was unusable ({exc}); continuing from {old.path.name}")
                else:
                    warn(f"the existing index is unusable ({exc}); rebuilding it")
                    reason = "existing index unreadable"
        if old is not None:
            if old.manifest.embedder != embedder.name:
                reason = f"embedder changed from {old.manifest.embedder} to {embedder.name}"
                old = None
            elif old.manifest.chunking != params.as_dict():
                reason = "chunking settings changed"
                old = None
        old_docs = old.manifest.docs if old is not None else {}

        added, updated, kept = [], [], []
        skipped: set[str] = set()
        # Per article, in order: its old rows (kept) or its new chunks (to embed).
        plan: list[tuple[Article, list[int] | list[Chunk]]] = []
        fresh: list[Chunk] = []
        for article in articles:
            previous = old_docs.get(article.doc)
            if previous is not None and previous["sha256"] == article.sha256:
                kept.append(article.doc)
                plan.append((article, old.rows.get(article.doc, [])))  # type: ignore[union-attr]
                continue
            try:  # an article known by its unchanged stamp is read only when it must be chunked
                article = article.read()
            except (OSError, ValueError) as exc:
                warn(f"skipped {for_terminal(article.doc, one_line=True)}: {exc}")
                skipped.add(article.doc)
                continue
            (updated if previous is not None else added).append(article.doc)
            new = chunk_article(article, params)
            fresh.extend(new)
            plan.append((article, new))
        current_docs = {a.doc for a in articles}
        removed = sorted(set(old_docs) - current_docs)
        total = sum(len(part) for _a, part in plan)

        report_args = dict(
            added=tuple(added),
            updated=tuple(updated),
            removed=tuple(removed),
            kept=tuple(kept),
            chunks=total,
            embedded=len(fresh),
            rebuilt_because=reason,
        )
        if old is not None and not added and not updated and not removed:
            if old.path != current_version_dir_or_none(index_dir):
                _point_at(index_dir, old.path.name)  # a recovered version becomes live again
            return UpdateReport(**report_args, written=False, path=old.path)  # type: ignore[arg-type]

        new_vectors = _embed_all(embedder, [c.text for c in fresh], progress, batch_size)
        old_vectors = old.vectors if old is not None else None
        dim = _dimension(old_vectors, new_vectors)
        vectors = np.zeros((total, dim), dtype=np.float32)
        old_tokens = old.tokens if old is not None else None
        parts: list[int | list[str]] = []
        lines: list[str] = []
        kept_at: list[int] = []
        kept_rows: list[int] = []
        fresh_at: list[int] = []
        docs: dict[str, dict[str, Any]] = {}
        record_lines: dict[str, str] = {}
        for article, part in plan:
            at = len(lines)
            if part and isinstance(part[0], Chunk):
                fresh_at.extend(range(at, at + len(part)))
                for chunk in part:
                    parts.append(chunk_tokens(chunk.text))  # type: ignore[union-attr]
                    lines.append(chunk_line(chunk))  # type: ignore[arg-type]
            else:
                rows: list[int] = part  # type: ignore[assignment]
                kept_at.extend(range(at, at + len(rows)))
                kept_rows.extend(rows)
                for row in rows:
                    parts.append(row if old_tokens else chunk_tokens(old.chunks.text(row)))  # type: ignore[union-attr]
                    lines.append(old.chunks.line(row))  # type: ignore[union-attr]
            if article.unread:  # not read again: its record is the one the index holds
                record = old_docs[article.doc]
                if record.get("chunks") == len(part) and isinstance(old_docs, DocRecords):
                    docs[article.doc] = record
                    record_lines[article.doc] = old_docs.line(article.doc)  # copied, not dumped
                else:
                    docs[article.doc] = {**record, "chunks": len(part)}
            else:
                docs[article.doc] = {
                    "sha256": article.sha256,
                    "title": article.title,
                    "chunks": len(part),
                    "stamp": list(article.stamp),
                    **article.meta.as_dict(),
                }
        if kept_at:
            vectors[kept_at] = old_vectors[kept_rows]  # type: ignore[index]
        if fresh_at:
            vectors[fresh_at] = new_vectors
        tokens = TokenTable.merge(old_tokens, parts)
        manifest = Manifest(
            embedder=embedder.name,
            dim=dim,
            chunking=params.as_dict(),
            docs=docs,
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        path = write_version(index_dir, manifest, [], vectors, tokens, lines, record_lines)
        return UpdateReport(**report_args, path=path)  # type: ignore[arg-type]


def _dimension(old: np.ndarray | None, new: np.ndarray) -> int:
    if new.size:
        return int(new.shape[1])
    if old is not None and old.size:
        return int(old.shape[1])
    return 0


def _embed_all(
    embedder: Embedder, texts: list[str], progress: Progress | None, batch_size: int
) -> np.ndarray:
    parts = []
    if progress:
        progress(0, len(texts))
    for start in range(0, len(texts), batch_size):
        parts.append(np.asarray(embedder.embed(texts[start : start + batch_size]), np.float32))
        if progress:
            progress(min(start + batch_size, len(texts)), len(texts))
    return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


def write_version(
    index_dir: Path,
    manifest: Manifest,
    chunks: list[Chunk],
    vectors: np.ndarray,
    tokens: TokenTable | None = None,
    lines: list[str] | None = None,
    record_lines: Mapping[str, str] | None = None,
) -> Path:
    """Write a complete version directory, then switch CURRENT to it atomically. ``lines`` and
    ``record_lines`` are chunk and article lines already in their file's form (copied)."""
    import faiss

    name = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    try:
        (tmp / VERSION_MARKER).write_text(name, encoding="utf-8")  # first: provably ours
        dense = build_dense_index(vectors)  # exact, or HNSW above QA_ANN_THRESHOLD
        # Serialised here and written by Python: a full disk is then an OSError (ENOSPC) that
        # names the file, not a RuntimeError from inside FAISS.
        (tmp / "dense.faiss").write_bytes(faiss.serialize_index(dense).tobytes())
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for line in lines if lines is not None else map(chunk_line, chunks):
                fh.write(line + "\n")
        write_records(tmp / DOCS_FILE, manifest.docs, record_lines or {})
        (tmp / "lexical").mkdir()
        if tokens is None:
            tokens = TokenTable.from_rows(chunk_tokens(c.text) for c in chunks)
        tokens.save(tmp / "lexical")
        LexicalIndex.from_token_ids(tokens.ids, tokens.offsets, tokens.vocab).save(tmp / "lexical")
        files = {
            str(f.relative_to(tmp)): {"size": f.stat().st_size, "sha256": file_sha256(f)}
            for f in sorted(tmp.rglob("*"))
            if f.is_file() and f.name != VERSION_MARKER
        }
        final = Manifest(**{**manifest.__dict__, "files": files})
        (tmp / "manifest.json").write_text(final.to_json(), encoding="utf-8")
        _fsync_tree(tmp)
        target = index_dir / name
        os.replace(tmp, target)
        _point_at(index_dir, name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    remove_leftovers(index_dir)
    return target


def _point_at(index_dir: Path, name: str) -> None:
    write_atomic(index_dir / CURRENT, name + "\n", fsync=True)
    _fsync_dir(index_dir)


def known_files(index_dir: Path) -> dict[str, KnownFile]:
    """What the live index recorded about each article file (read from its manifest only), so
    ``load_articles`` can skip files whose stamp has not changed; {} when there is no index."""
    live = current_version_dir_or_none(index_dir)
    if live is None:
        return {}
    try:
        docs = _docs(live, _manifest_json(live))
        return {
            doc: KnownFile(tuple(entry["stamp"]), entry["sha256"], entry["title"], meta_of(entry))
            for doc, entry in docs.items()
            if entry.get("stamp")
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # an unreadable manifest: every file is read, as without an index


def current_version_dir_or_none(index_dir: Path) -> Path | None:
    try:
        return current_version_dir(index_dir)
    except (IndexMissingError, IndexCorruptError):
        return None


def _version_dirs(index_dir: Path) -> list[Path]:
    """Folders named like a version (finished or not) that qa can prove it wrote."""
    return [
        entry
        for entry in index_dir.iterdir()
        if _VERSION.fullmatch(entry.name.removeprefix(".tmp-")) and _is_ours(entry)
    ]


def _newest_intact_version(index_dir: Path) -> _Previous | None:
    """With CURRENT garbled, the newest finished version that loads: nothing is re-embedded."""
    finished = [v for v in _version_dirs(index_dir) if not v.name.startswith(".tmp-")]
    for version in sorted(finished, key=lambda v: v.name, reverse=True):
        with contextlib.suppress(IndexCorruptError):
            return _load_previous(version, index_dir)
    return None


def remove_leftovers(index_dir: Path) -> None:
    """Delete what crashed or superseded writes left: unfinished versions, versions no longer
    pointed at, and temp files whose writer is gone. Only ever what qa wrote; with CURRENT
    unreadable, no finished version is deleted (it may be the only intact copy)."""
    live = current_version_dir_or_none(index_dir)
    for entry in index_dir.iterdir():  # killed before its marker, or after removing it: empty
        if _VERSION.fullmatch(entry.name.removeprefix(".tmp-")) and not entry.is_symlink():
            with contextlib.suppress(OSError):
                entry.rmdir()
    for entry in _version_dirs(index_dir):
        unfinished = entry.name.startswith(".tmp-")
        if unfinished or (live is not None and entry != live):
            _remove_version(entry)
    remove_stale_temps(index_dir)
    remove_stale_temps(states_dir(index_dir))


def _remove_version(version: Path) -> None:
    """Delete a version folder qa wrote so that a kill at any moment leaves it provably ours:
    the marker goes last (written first if an old version lacks it), then the empty folder."""
    marker = version / VERSION_MARKER
    with contextlib.suppress(OSError):
        if not marker.is_file():
            marker.write_text(version.name.removeprefix(".tmp-"), encoding="utf-8")
        for entry in version.iterdir():
            if entry == marker:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        marker.unlink()
        version.rmdir()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync_file(path)


def _fsync_tree(root: Path) -> None:
    for f in root.rglob("*"):
        if f.is_file():
            _fsync_file(f)
        else:
            _fsync_dir(f)
    _fsync_dir(root)
