from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from qa.errors import ModelError
from qa.models import PACKAGED, PackagedModel, ensure_assembled, resolve_model


@pytest.fixture
def tiny_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackagedModel:
    """A three-part 'model' installed as importable packages, like the real split models."""
    site = tmp_path / "site"
    payload = b"GGUF" + os.urandom(3000)
    pieces = [payload[:1000], payload[1000:2000], payload[2000:]]
    for n, piece in enumerate(pieces, 1):
        pkg = site / f"tinyfake_part{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(piece)
    monkeypatch.syspath_prepend(str(site))
    return PackagedModel(
        "tiny", "tiny", "tinyfake_part", 3, len(payload), hashlib.sha256(payload).hexdigest()
    )


def test_assembles_once_and_verifies(tiny_model: PackagedModel, tmp_path: Path) -> None:
    path = ensure_assembled(tiny_model, tmp_path / "cache")
    assert path.stat().st_size == tiny_model.size
    mtime = path.stat().st_mtime_ns
    assert ensure_assembled(tiny_model, tmp_path / "cache") == path
    assert path.stat().st_mtime_ns == mtime, "a verified file is not rewritten"


def test_a_corrupted_cached_file_is_reassembled(tiny_model: PackagedModel, tmp_path: Path) -> None:
    path = ensure_assembled(tiny_model, tmp_path / "cache")
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, new mtime: the stamp no longer matches
    path = ensure_assembled(tiny_model, tmp_path / "cache")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tiny_model.sha256
    path.write_bytes(b"short")
    assert (
        hashlib.sha256(ensure_assembled(tiny_model, tmp_path / "cache").read_bytes()).hexdigest()
        == tiny_model.sha256
    )


def test_wrong_parts_are_refused(tiny_model: PackagedModel, tmp_path: Path) -> None:
    bad = PackagedModel("tiny", "tiny", "tinyfake_part", 3, tiny_model.size, "0" * 64)
    with pytest.raises(ModelError, match="checksum"):
        ensure_assembled(bad, tmp_path / "cache")
    assert not list((tmp_path / "cache" / "models").glob("*.gguf")), "no half-written model"


def test_missing_part_package(tmp_path: Path) -> None:
    missing = PackagedModel("x", "x", "no_such_model_part", 2, 10, "0" * 64)
    with pytest.raises(ModelError, match="not installed"):
        ensure_assembled(missing, tmp_path)


def test_a_path_spec_must_be_an_existing_gguf(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(str(tmp_path / "none.gguf"), tmp_path)
    other = tmp_path / "m.bin"
    other.write_bytes(b"PK\x03\x04")
    with pytest.raises(ModelError, match="not a GGUF"):
        resolve_model(str(other), tmp_path)
    good = tmp_path / "g.gguf"
    good.write_bytes(b"GGUF....")
    assert resolve_model(str(good), tmp_path).path == good


def test_the_bundled_models_are_declared_with_their_checksums() -> None:
    assert PACKAGED["default"].parts == 22 and PACKAGED["fast"].parts == 6
    assert PACKAGED["default"].size == 1_117_320_768
