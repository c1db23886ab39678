"""Files written whole or not at all, and the temp files a killed or failed write leaves.

Every temp file this project writes is named ``.<name>.<pid>.tmp`` beside its target, so a later
run can tell its own leftovers from anything else in the folder and remove exactly those (a full
disk is not kept full by a file nobody will ever finish).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from pathlib import Path

_TEMP = re.compile(r"^\..+\.(\d+)\.tmp$")


def temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_atomic(target: Path, data: bytes | str, *, fsync: bool = False) -> None:
    """Write ``data`` to ``target`` through a temp file and a rename; on any failure (a full
    disk, a read-only folder, a kill) the old ``target`` stays and the temp file is removed."""
    tmp = temp_path(target)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with tmp.open("wb") as fh:
            fh.write(raw)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temp files in ``folder`` whose writer is no longer running; returns them."""
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match and not entry.is_symlink() and entry.is_file() and not _alive(int(match[1])):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 8 MiB blocks (model files are a gigabyte)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_atomic(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` so that ``target`` is either absent, old or whole."""
    tmp = temp_path(target)
    try:
        with source.open("rb") as src, tmp.open("wb") as out:
            shutil.copyfileobj(src, out, 8 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
