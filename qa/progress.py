"""Progress for long index work, as context managers yielding a ``progress(done, total)`` callback.

On a terminal it is a rich bar; when stderr is not a terminal (a log file, a cron job, a pipe) it is
a plain line now and then, so a long run never looks stuck.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator

Progress = Callable[[int, int], None]  # progress(done, total), called as work is done

# Without a terminal: a line at most this often (seconds), and at the end.
PLAIN_EVERY_S = 30.0


@contextlib.contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Progress | None]:
    """Yields ``progress(done, total)``, drawn on stderr so stdout stays clean for scripts."""
    if not enabled:
        yield None
        return
    if not sys.stderr.isatty():
        yield _plain_progress(label)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(file=sys.stderr)
    started = time.monotonic()
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("embed", total=None, rate="")

        def update(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f}/s" if done else "")

        yield update


def _plain_progress(label: str) -> Progress:
    started = time.monotonic()
    last = [started]

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if total and (done >= total or now - last[0] >= PLAIN_EVERY_S) and done:
            last[0] = now
            rate = done / max(now - started, 1e-9)
            left = (total - done) / rate if rate else 0.0
            print(
                f"{label}: {done}/{total} ({rate:.1f}/s, {left:.0f}s left)",
                file=sys.stderr,
                flush=True,
            )

    return update
