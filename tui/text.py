"""Pure text helpers for the UI: citation links, quotes, timing lines, hints for errors.

Kept free of widgets so they are trivially testable and shared by widgets and screens.
"""

from __future__ import annotations

import re

from qa.errors import (
    CorpusError,
    GenerationError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    ModelError,
    QAError,
)
from qa.untrusted import for_terminal

_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
CITE_SCHEME = "cite:"
# A "[" this close to the end may be the start of a citation still being streamed.
_HOLD_BACK = 16


def linkify(text: str) -> str:
    """Markdown with each citation ``[n]`` (or ``[n, m]``) as a link the UI can follow; control
    characters (an article's escape sequences the model copied) shown, not sent."""
    text = for_terminal(text)

    def link(match: re.Match[str]) -> str:
        numbers = [n.strip() for n in match.group(1).split(",")]
        return "".join(f"[\\[{n}\\]]({CITE_SCHEME}{n})" for n in numbers)

    return _CITATION.sub(link, text)


def citation_of(href: str) -> int | None:
    """The passage number of a citation link, or None for any other link."""
    if href.startswith(CITE_SCHEME) and href[len(CITE_SCHEME) :].isdigit():
        return int(href[len(CITE_SCHEME) :])
    return None


class CitationLinker:
    """Turns streamed text into linkified Markdown fragments.

    A citation can arrive split over several tokens ("[", "1", "]"), so text from an unclosed
    "[" near the end is held back until it closes (or the stream ends).
    """

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> str:
        buffer = self._pending + text
        cut = buffer.rfind("[")
        if cut != -1 and "]" not in buffer[cut:] and len(buffer) - cut <= _HOLD_BACK:
            self._pending, buffer = buffer[cut:], buffer[:cut]
        else:
            self._pending = ""
        return linkify(buffer)

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return linkify(rest)


def quote(text: str, limit: int = 160) -> str:
    """One line of a passage, shortened with an ellipsis, control characters shown."""
    flat = for_terminal(" ".join(text.split()), one_line=True)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def format_timings(ttft_ms: float | None, tokens_per_s: float | None) -> str:
    """ "first token 0.6 s · 19.2 tok/s" — what a user wants to know about speed."""
    if ttft_ms is None:
        return ""
    speed = f" · {tokens_per_s:.1f} tok/s" if tokens_per_s else ""
    return f"first token {ttft_ms / 1000:.1f} s{speed}"


def short_model(name: str) -> str:
    """ "default (qwen2.5-…)" -> "default": the full name is in the status line already."""
    return name.split(" (", 1)[0]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# What each kind of error is called in a notice, and what to do about it in this UI's keys.
_ERRORS: dict[type[QAError], tuple[str, str]] = {
    IndexMissingError: ("No index yet", "Press Ctrl+R to build the index from the seeds folder."),
    IndexMismatchError: (
        "Index out of date",
        "Press Ctrl+R to build the index from the seeds folder.",
    ),
    IndexCorruptError: (
        "Index damaged",
        "Open the command palette (Ctrl+P) and run “Rebuild index from scratch”.",
    ),
    IndexBusyError: ("Index busy", "Wait for the other indexing run to finish, then ask again."),
    CorpusError: (
        "No articles",
        "Add .txt or .md articles to the seeds folder, then press Ctrl+R.",
    ),
    ModelError: (
        "Model problem",
        "Quit (Ctrl+Q) and start again with --model fast or --model PATH.gguf.",
    ),
    GenerationError: (
        "Generation failed",
        "Ask again; if it keeps failing, start a new conversation (Ctrl+N).",
    ),
}


def _describe(exc: BaseException) -> tuple[str, str]:
    for kind, described in _ERRORS.items():
        if isinstance(exc, kind):
            return described
    if isinstance(exc, QAError):
        return "Cannot answer", ""
    return (
        "Unexpected error",
        "This is a bug; the details are in the log. Ask again or restart the app.",
    )


def error_title(exc: BaseException) -> str:
    return _describe(exc)[0]


def error_hint(exc: BaseException) -> str:
    """What to do about an error, in terms of this UI's keys."""
    return _describe(exc)[1]


def error_message(exc: BaseException) -> str:
    text = for_terminal(str(exc) or type(exc).__name__)
    return text if isinstance(exc, QAError) else f"{type(exc).__name__}: {text}"
