"""User-facing errors: each carries one line that says what happened and what to do.

Anything raised as a ``QAError`` is a user mistake or an environment problem, so the CLI and the UI
show its message instead of a traceback.
"""

from __future__ import annotations


class QAError(Exception):
    """Base for errors whose message is meant for the user."""

    exit_code = 2


class InputError(QAError):
    """The question, a flag or an input file is not acceptable."""


class CorpusError(QAError):
    """The seeds directory is missing, empty or unreadable."""


class IndexMissingError(QAError):
    """No index has been built yet."""


class IndexCorruptError(QAError):
    """The index on disk is damaged, truncated or from an incompatible build."""


class IndexMismatchError(QAError):
    """The index was written with another embedder or chunking than the one configured."""


class IndexBusyError(QAError):
    """Another process is writing the index."""


class StoreUnreachableError(QAError):
    """The index store (a Milvus server) cannot be reached."""


class StoreAuthError(QAError):
    """The index store refused the credentials it was given."""


class ModelError(QAError):
    """A model file is missing, corrupt or cannot be loaded."""


class GenerationError(QAError):
    """The language model failed while answering."""


class ScopeError(InputError):
    """A ``--doc``, ``--since``, ``--until`` or ``--source`` that cannot be read or matches
    no indexed article."""


class FrontMatterError(InputError):
    """An article starts with a front-matter block that cannot be read; nothing is indexed."""


def os_error_message(exc: OSError) -> str:
    """One line for an operating-system failure the user can fix (a full disk, a read-only or
    misplaced folder), naming the file and what to do."""
    import errno

    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"no space left to write{where}; free some disk space and run the command again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write{where}: permission denied or read-only; choose a writable folder"
    if exc.errno == errno.ENOTDIR:
        return f"{exc.filename or 'a path'} is not a folder; point the option at a folder"
    if exc.errno == errno.EISDIR:
        return f"{exc.filename or 'a path'} is a folder, not a file"
    return f"{exc.strerror or exc.__class__.__name__}{where}; check the path and try again"
