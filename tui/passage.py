"""Finding a cited passage in its article file, for the "show in article" view.

The index stores character offsets into the article as it was when indexed; the file may have been
edited, moved or deleted since. We show the passage in place when the offsets still match, find it
again when the text moved, and fall back to the stored passage alone (with a note) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa.answer import Source
from qa.corpus import read_article


@dataclass(frozen=True)
class PassageInArticle:
    """The article split around the passage; ``note`` explains any fallback."""

    title: str
    before: str
    passage: str
    after: str
    note: str = ""
    quote: tuple[int, int] | None = None  # the supporting sentence, as offsets into ``passage``
    about: str = ""  # the article's date, source and author, as far as they are known


def locate(seeds_dir: Path, source: Source) -> PassageInArticle:
    path = seeds_dir / source.doc
    alone = PassageInArticle(source.title, "", source.text, "", quote=_quote_in(source))
    try:
        inside = path.resolve().is_relative_to(seeds_dir.resolve())
        article = read_article(path, source.doc) if inside and path.is_file() else None
    except (OSError, ValueError) as exc:
        return _with_note(alone, f"The article {source.doc} cannot be read ({exc}).")
    if article is None:
        return _with_note(alone, f"The article {source.doc} is no longer in {seeds_dir}.")
    text = article.text
    start, end = source.start, source.end
    if text[start:end] != source.text:
        found = text.find(source.text)
        if found == -1:
            return _with_note(
                alone,
                f"The article {source.doc} has changed since it was indexed; "
                "showing the passage as it was (press Ctrl+R to update the index).",
            )
        start, end = found, found + len(source.text)
    meta = article.meta
    about = " · ".join(x for x in (meta.date, meta.source, meta.author) if x)
    return PassageInArticle(
        article.title,
        text[:start],
        text[start:end],
        text[end:],
        quote=_quote_in(source),
        about=about,
    )


def _quote_in(source: Source) -> tuple[int, int] | None:
    quote = source.quote
    if not quote:
        return None
    at = source.text.find(quote)
    return None if at == -1 else (at, at + len(quote))


def _with_note(view: PassageInArticle, note: str) -> PassageInArticle:
    return PassageInArticle(view.title, view.before, view.passage, view.after, note, view.quote)
