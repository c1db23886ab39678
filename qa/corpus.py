"""Reading articles from the seeds directory: stable ids, titles and content hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.errors import CorpusError

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


def article_title(text: str, fallback: str) -> str:
    """The first non-empty line, without Markdown heading marks."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback


def read_article(path: Path, doc: str) -> Article:
    """Decode one file; raises ``ValueError`` with a reason if it is not a UTF-8 text article."""
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
    return Article(doc=doc, title=article_title(text, Path(doc).stem), text=text, sha256=digest)


def article_paths(seeds_dir: Path) -> list[tuple[Path, str]]:
    """All article files below ``seeds_dir`` (hidden files and folders skipped), sorted by id."""
    if not seeds_dir.exists():
        raise CorpusError(
            f"seeds directory {seeds_dir} does not exist; create it and add .txt or .md articles"
        )
    if not seeds_dir.is_dir():
        raise CorpusError(f"{seeds_dir} is not a directory; point --seeds at a folder of articles")
    found = []
    for path in seeds_dir.rglob("*"):
        rel = path.relative_to(seeds_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in ARTICLE_SUFFIXES:
            found.append((path, rel.as_posix()))
    return sorted(found, key=lambda item: item[1])


def load_articles(
    seeds_dir: Path, warn: Callable[[str], None] = lambda _msg: None
) -> list[Article]:
    """Read every article; unreadable files are skipped with a warning that names them."""
    articles = []
    for path, doc in article_paths(seeds_dir):
        try:
            articles.append(read_article(path, doc))
        except (ValueError, OSError) as exc:
            warn(f"skipped {doc}: {exc}")
    if not articles:
        raise CorpusError(
            f"no readable articles in {seeds_dir}; add UTF-8 .txt or .md files and run `qa index`"
        )
    return articles
