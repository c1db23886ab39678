"""Sentence-aware chunking with exact character offsets back into the article.

A chunk never cuts a sentence unless the sentence alone is longer than a chunk; consecutive chunks
share their last sentences (the overlap) so that a fact stated across a sentence boundary is still
retrievable. ``chunk.text == article.text[chunk.start:chunk.end]`` always holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from qa.corpus import Article

# End of a sentence: terminal punctuation, optional closing quotes/brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
# Tokens before a period that do not end a sentence (Indonesian and English).
_ABBREVIATIONS = frozenset(
    [
        "dr",
        "prof",
        "mr",
        "mrs",
        "ms",
        "st",
        "no",
        "vs",
        "jl",
        "bpk",
        "tn",
        "ny",
        "sdr",
        "hlm",
        "dll",
        "dsb",
        "dkk",
        "etc",
        "inc",
        "ltd",
        "co",
        "jr",
        "sr",
        "gen",
        "col",
        "lt",
        "mt",
        "ft",
        "u.s",
        "a.s",
        "p.m",
        "a.m",
        "e.g",
        "i.e",
    ]
)


@dataclass(frozen=True)
class Chunk:
    """A passage of one article; ``text`` is ``article.text[start:end]``."""

    doc: str
    title: str
    ordinal: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.doc}#{self.ordinal}"


@dataclass(frozen=True)
class ChunkingParams:
    max_chars: int
    overlap_chars: int

    def as_dict(self) -> dict[str, int | str]:
        return {
            "method": "sentences-v1",
            "max_chars": self.max_chars,
            "overlap": self.overlap_chars,
        }


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    new_paragraph: bool
    heading: bool = False  # a short line without final punctuation: belongs with what follows


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("(\"'“‘").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentence_spans(text: str) -> Iterator[_Span]:
    """Sentences as (start, end) offsets, whitespace trimmed; every line break ends a sentence."""
    pos = 0
    new_paragraph = True
    for line in text.splitlines(keepends=True):
        line_start, line_end = pos, pos + len(line)
        pos = line_end
        if not line.strip():
            new_paragraph = True
            continue
        cursor, count = line_start, 0
        for match in _SENTENCE_END.finditer(text, line_start, line_end):
            if match.group(0).startswith(".") and _is_abbreviation(text, match.start()):
                continue
            span = _trim(text, cursor, match.end())
            if span:
                yield _Span(*span, new_paragraph)
                new_paragraph, count = False, count + 1
            cursor = match.end()
        span = _trim(text, cursor, line_end)
        if span:
            heading = count == 0 and span[1] - span[0] < 100
            yield _Span(*span, new_paragraph, heading)
        new_paragraph = True  # each line of a plain-text article is a paragraph


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _split_long(text: str, span: _Span, max_chars: int) -> Iterator[_Span]:
    """Cut a sentence longer than a chunk at word boundaries."""
    start, first = span.start, True
    while span.end - start > max_chars:
        cut = text.rfind(" ", start, start + max_chars)
        if cut <= start:
            cut = start + max_chars
        yield _Span(start, cut, span.new_paragraph and first)
        start, first = cut, False
        while start < span.end and text[start].isspace():
            start += 1
    if first:
        yield span
    elif start < span.end:
        yield _Span(start, span.end, False)


def chunk_article(article: Article, params: ChunkingParams) -> list[Chunk]:
    """Pack sentences into chunks of at most ``max_chars``, preferring paragraph boundaries."""
    text = article.text
    body = " " * article.body_start + text[article.body_start :]  # front matter is not chunked
    spans = [
        piece for s in sentence_spans(body) for piece in _split_long(body, s, params.max_chars)
    ]
    groups: list[list[_Span]] = []
    current: list[_Span] = []
    fresh = 0  # spans in ``current`` that are not overlap from the previous chunk
    for span in spans:
        if fresh:
            size = span.end - current[0].start
            half_full = current[-1].end - current[0].start >= params.max_chars // 2
            before_heading = span.heading and not current[-1].heading
            if size > params.max_chars or (span.new_paragraph and (half_full or before_heading)):
                groups.append(current)
                current = _overlap_tail(current, params.overlap_chars, span, params.max_chars)
                if span.heading:
                    current = []  # a heading opens a new section: no overlap across it
                fresh = 0
        current.append(span)
        fresh += 1
    if current:
        groups.append(current)
    return [
        Chunk(
            doc=article.doc,
            title=article.title,
            ordinal=i,
            start=g[0].start,
            end=g[-1].end,
            text=text[g[0].start : g[-1].end],
        )
        for i, g in enumerate(groups)
    ]


def _overlap_tail(group: list[_Span], overlap: int, nxt: _Span, max_chars: int) -> list[_Span]:
    """The trailing sentences of ``group`` (within ``overlap`` chars) that start the next chunk."""
    tail: list[_Span] = []
    for span in reversed(group[1:]):
        if group[-1].end - span.start > overlap or nxt.end - span.start > max_chars:
            break
        tail.insert(0, span)
    return tail


def chunk_articles(articles: list[Article], params: ChunkingParams) -> list[Chunk]:
    return [chunk for article in articles for chunk in chunk_article(article, params)]
