"""An article's date, source, author and link: from a front-matter block, else from the text.

A news archive is asked by date and by source, so every article carries them where the file
gives them. Three places, in order:

1. A front-matter block at the very top (read by YAML's safe loader, which builds plain data
   only)::

       ---
       title: Korea Utara menggelar karpet merah untuk Putin
       date: 2024-06-19
       source: DW
       author: Dawud
       url: https://example.org/putin-pyongyang
       ---

2. What the text itself shows: an author line right under the title (a short line of capitalised
   words, as in the seed article) and a date written near the top ("19 Juni 2024", "2024-06-19").
3. The file's modification date, marked as such (``date_from == "file"``).

The block stays in the article's text (citation offsets index the file as a reader sees it); only
the body after it is chunked and searched.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from qa.vocabulary import MONTH_NAMES

FRONT_MATTER_KEYS = ("title", "date", "source", "author", "url")
_FENCE = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)
_MONTH_NUMBER = {name: i % 12 + 1 for i, name in enumerate(MONTH_NAMES[0] + MONTH_NAMES[1])}
_MONTHS = "|".join(_MONTH_NUMBER)
_WRITTEN_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_AUTHOR_LINE = re.compile(r"^(?:[A-Z][\w.'’-]*)(?:\s+[A-Z][\w.'’-]*){0,3}$")
_HEAD_CHARS = 600  # where a date written in the text counts as the article's date


@dataclass(frozen=True)
class ArticleMeta:
    """What the archive knows about one article; "" where nothing says."""

    date: str = ""  # ISO YYYY-MM-DD
    source: str = ""
    author: str = ""
    url: str = ""
    date_from: str = ""  # "front matter", "text" or "file": how much to trust ``date``

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def meta_of(entry: dict) -> ArticleMeta:
    """The metadata an index manifest recorded for one article (missing fields are "")."""
    return ArticleMeta(**{k: str(entry.get(k, "")) for k in ArticleMeta.__dataclass_fields__})


@dataclass(frozen=True)
class FrontMatter:
    fields: dict[str, str]
    body_start: int  # offset of the text after the block (0 without one)
    problem: str = ""  # why a block that looked like front matter was not read


def split_front_matter(text: str) -> FrontMatter:
    """The front-matter fields (strings, known keys only) and where the body starts."""
    match = _FENCE.match(text)
    if not match:
        return FrontMatter({}, 0)
    import yaml

    try:  # libyaml's safe loader when built in: 40x faster, which counts at 100,000 articles
        data = yaml.load(match.group(1), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return FrontMatter({}, 0, "its front matter is not valid YAML")
    if not isinstance(data, dict):
        return FrontMatter({}, 0, "its front matter is not a list of `key: value` lines")
    fields = {
        key: _as_text(data[key])
        for key in FRONT_MATTER_KEYS
        if key in data and data[key] is not None
    }
    if fields.get("date") and not iso_date(fields["date"]):
        shown = fields["date"][:40]
        return FrontMatter({}, 0, f"its front matter's date {shown!r} is not a date (YYYY-MM-DD)")
    return FrontMatter(fields, match.end())


def _as_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())[:300]


def iso_date(text: str) -> str:
    """``text`` as YYYY-MM-DD when it is a date (ISO or "19 Juni 2024"/"19 June 2024"), else ""."""
    text = text.strip()
    found = _ISO_DATE.fullmatch(text[:10]) if len(text) >= 10 else None
    try:
        if found:
            return dt.date(*map(int, found.groups())).isoformat()
        written = _WRITTEN_DATE.fullmatch(text)
        if written:
            day, month, year = written.groups()
            return dt.date(int(year), _MONTH_NUMBER[month.lower()], int(day)).isoformat()
    except ValueError:
        return ""
    return ""


def date_in_text(body: str) -> str:
    """The first date written near the top of an article, as YYYY-MM-DD, or ""."""
    head = body[:_HEAD_CHARS]
    candidates = [m for pattern in (_ISO_DATE, _WRITTEN_DATE) for m in pattern.finditer(head)]
    for match in sorted(candidates, key=lambda m: m.start()):
        found = iso_date(match.group(0))
        if found:
            return found
    return ""


def author_in_text(body: str) -> str:
    """The seed article's layout: the title line, then a line holding only the author's name."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if len(lines) >= 3 and _AUTHOR_LINE.fullmatch(lines[1]) and lines[1] != lines[0]:
        return lines[1]
    return ""


def article_meta(fields: dict[str, str], body: str, modified: float | None) -> ArticleMeta:
    """Front matter first, then the text, then the file's modification time."""
    date, date_from = iso_date(fields.get("date", "")), "front matter"
    if not date:
        date, date_from = date_in_text(body), "text"
    if not date and modified is not None:
        date, date_from = dt.date.fromtimestamp(modified).isoformat(), "file"
    return ArticleMeta(
        date=date,
        source=fields.get("source", ""),
        author=fields.get("author", "") or author_in_text(body),
        url=fields.get("url", ""),
        date_from=date_from if date else "",
    )


@dataclass(frozen=True)
class ArticleFacts:
    """What an article says about itself: the title line, the byline or front-matter fields."""

    title: str = ""
    author: str = ""
    date: str = ""  # ISO, only when the article or its front matter gives it (not a file's date)
    source: str = ""
    url: str = ""
