"""``qa index --watch``: keep the index in step with the articles folder as files come and go.

The ``watchdog`` library reports each file event (inotify on Linux, FSEvents on macOS, polling
elsewhere). Events arrive in bursts (an editor saving writes, renames and touches; a copy of a
folder is hundreds), so they only mark the folder as changed; the update runs once the folder has
been quiet for ``debounce`` seconds. The update is ``Engine.reindex``, the same atomic update as
``qa index``: it re-reads only files whose stamp changed, and a reader always sees a whole index.
A bad article (malformed front matter) is reported in one line and the index stays as it was;
watching goes on, so fixing the file brings it in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.corpus import ARTICLE_SUFFIXES
from qa.errors import QAError, os_error_message

if TYPE_CHECKING:
    from qa.engine import Engine
    from qa.store import UpdateReport

DEBOUNCE_S = 0.5
# Events that change nothing: the updater reading the articles raises these itself.
_READS = frozenset({"opened", "closed_no_write"})


def is_article_event(root: Path, event: Any) -> bool:
    """Whether a watchdog event can change what the index holds: an article file (or a folder
    that may hold some) created, written, removed or renamed; not hidden, not a read."""
    if event.event_type in _READS:
        return False
    if event.is_directory and event.event_type == "modified":
        return False  # a folder's mtime: the file event that caused it is reported as well
    for raw in (event.src_path, getattr(event, "dest_path", "")):
        if not raw:
            continue
        path = Path(raw.decode() if isinstance(raw, bytes) else raw)
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            continue
        if any(p.startswith(".") for p in parts):
            continue
        if event.is_directory or path.name.lower().endswith(ARTICLE_SUFFIXES):
            return True
    return False


def watch(
    engine: Engine,
    stop: threading.Event,
    on_update: Callable[[UpdateReport], None],
    on_error: Callable[[str], None],
    warn: Callable[[str], None] = lambda _m: None,
    debounce: float = DEBOUNCE_S,
    ready: Callable[[], None] = lambda: None,
) -> None:
    """Update the index after each quiet spell following a change, until ``stop`` is set."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    root = engine.settings.seeds_dir.resolve()
    changed = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if is_article_event(root, event):
                changed.set()

    observer = Observer()
    observer.schedule(Handler(), str(root), recursive=True)
    observer.start()
    ready()
    try:
        while not stop.is_set():
            if not changed.wait(0.2):
                continue
            while changed.is_set():  # wait for a quiet spell
                changed.clear()
                if stop.wait(debounce):
                    return
            try:
                on_update(engine.reindex(warn=warn))
            except QAError as exc:
                on_error(str(exc))
            except OSError as exc:  # a full disk: said, and the next change tries again
                on_error(os_error_message(exc))
    finally:
        observer.stop()
        observer.join()
