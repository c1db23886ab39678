"""Reading articles from the seeds directory: stable ids, titles and content hashes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qa.article_meta import ArticleMeta, article_meta, split_front_matter
from qa.errors import CorpusError, FrontMatterError
from qa.untrusted import for_terminal

ARTICLE_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Article:
    """One article; ``doc``, its path relative to the seeds directory (POSIX), is the stable id.

    ``text`` is the file decoded as UTF-8 with universal newlines (as ``open(path).read()``),
    so citation offsets index into exactly what a reader of the file sees.
    """

    doc: str
    title: str
    text: str
    sha256: str
    meta: ArticleMeta = field(default_factory=ArticleMeta)
    body_start: int = 0  # after a front-matter block, which is kept in ``text`` but not chunked
    stamp: tuple[int, ...] = ()  # the file's size, mtime, ctime and inode when it was read
    path: Path | None = None
    unread: bool = False  # known from the index by its unchanged stamp; ``text`` is ""

    def read(self) -> Article:
        """This article with its text (re-read from its file when it was ``unread``)."""
        if not self.unread or self.path is None:
            return self
        return read_article(self.path, self.doc)


@dataclass(frozen=True)
class KnownFile:
    """What the index recorded about an article file: an unchanged stamp means unchanged text,
    so a 100,000-article folder is checked by ``stat`` instead of read and hashed."""

    stamp: tuple[int, ...]
    sha256: str
    title: str
    meta: ArticleMeta


def file_stamp(st: os.stat_result) -> tuple[int, ...]:
    """Size, mtime, ctime and inode: ctime changes on every write and cannot be set back."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def article_title(text: str, fallback: str) -> str:
    """The first non-empty line, without Markdown heading marks."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback


def read_article(path: Path, doc: str, warn: Callable[[str], None] = lambda _msg: None) -> Article:
    """Decode one file; raises ``ValueError`` with a reason if it is not a UTF-8 text article,
    ``FrontMatterError`` if its front-matter block cannot be read (so nothing is indexed)."""
    stamp = file_stamp(path.stat())
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ValueError("empty file")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    front = split_front_matter(text)
    if front.problem:  # the user meant metadata: indexing it as text would hide the mistake
        raise FrontMatterError(
            f"{for_terminal(doc, one_line=True)}: {front.problem}; fix the block between the "
            "`---` lines (or remove it) and index again"
        )
    body = text[front.body_start :]
    if not body.strip():
        raise ValueError("only front matter, no text")
    title = front.fields.get("title") or article_title(body, Path(doc).stem)
    return Article(
        doc=doc,
        title=title,
        text=text,
        sha256=digest,
        meta=article_meta(front.fields, body, stamp[1] / 1e9),
        body_start=front.body_start,
        stamp=stamp,
        path=path,
    )


def article_paths(
    seeds_dir: Path, warn: Callable[[str], None] = lambda _msg: None
) -> list[tuple[Path, str]]:
    """All article files below ``seeds_dir`` (hidden files and folders skipped), sorted by id.

    Symbolic links are read only when they point at a file inside ``seeds_dir``: a link out of
    it (to ``/etc/passwd``, say), a link to a folder and a link loop are skipped with a warning.
    """
    if not seeds_dir.exists():
        raise CorpusError(
            f"seeds directory {seeds_dir} does not exist; create it and add .txt or .md articles"
        )
    if not seeds_dir.is_dir():
        raise CorpusError(f"{seeds_dir} is not a directory; point --seeds at a folder of articles")
    root = seeds_dir.resolve()
    found: list[tuple[Path, str]] = []
    folders = [(seeds_dir, "")]
    while folders:  # links to folders are not followed; DirEntry answers without a stat each
        folder, prefix = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            warn(f"skipped {for_terminal(prefix or '.', one_line=True)}: {exc.strerror}")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            path = Path(entry.path)
            article = entry.name.lower().endswith(ARTICLE_SUFFIXES)
            if entry.is_symlink():
                why = _link_problem(path, root)
                if why:
                    if article or entry.is_dir():  # a link to a folder or an article
                        warn(f"skipped {for_terminal(rel, one_line=True)}: {why}")
                    continue
                if article:
                    found.append((path, rel))
            elif entry.is_dir(follow_symlinks=False):
                folders.append((path, rel + "/"))
            elif article and entry.is_file(follow_symlinks=False):
                found.append((path, rel))
    return sorted(found, key=lambda item: item[1])


def _link_problem(link: Path, root: Path) -> str:
    """Why a symbolic link is not followed, or "" when it points at a file inside ``root``."""
    try:
        target = link.resolve(strict=True)
    except (RuntimeError, OSError) as exc:  # a loop raises RuntimeError or ELOOP
        if isinstance(exc, FileNotFoundError):
            return "a link to nothing"
        return "a link loop"
    if not target.is_relative_to(root):
        return "a link to outside the articles folder"
    if target.is_dir():
        return "a link to a folder (links to folders are not followed)"
    return ""


def load_articles(
    seeds_dir: Path,
    warn: Callable[[str], None] = lambda _msg: None,
    max_bytes: int = 5 * 1024 * 1024,
    known: Mapping[str, KnownFile] | None = None,
) -> list[Article]:
    """Read every article; unreadable or oversized files are skipped with a warning naming them.

    A file whose stamp matches ``known`` (the index's record) is not read: it comes back
    ``unread``, with the recorded hash, title and metadata.
    """
    articles = []
    known = known or {}
    for path, doc in article_paths(seeds_dir, warn):
        try:
            record = known.get(doc)
            if record is not None and file_stamp(path.stat()) == record.stamp:
                articles.append(
                    Article(
                        doc=doc,
                        title=record.title,
                        text="",
                        sha256=record.sha256,
                        meta=record.meta,
                        stamp=record.stamp,
                        path=path,
                        unread=True,
                    )
                )
                continue
            size = path.stat().st_size
            if size > max_bytes:
                raise ValueError(
                    f"{size / 2**20:.1f} MB is more than the {max_bytes / 2**20:g} MB an article "
                    "may have (a data dump? set QA_MAX_ARTICLE_MB to index it anyway)"
                )
            articles.append(read_article(path, doc, warn))
        except (ValueError, OSError) as exc:
            warn(f"skipped {for_terminal(doc, one_line=True)}: {exc}")
    if not articles:
        raise CorpusError(
            f"no readable articles in {seeds_dir}; add UTF-8 .txt or .md files and run `qa index`"
        )
    return articles
