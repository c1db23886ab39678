"""Pruning of saved KV states: old prefixes do not pile up beside the index."""

from __future__ import annotations

import os
from pathlib import Path

from qa.generation import prune_states


def _state(folder: Path, key: str, used_at: float) -> Path:
    kv = folder / f"{key}.kv"
    kv.write_bytes(b"state")
    (folder / f"{key}.json").write_text("{}")
    os.utime(kv, (used_at, used_at))
    return kv


def test_only_the_most_recently_used_states_are_kept(tmp_path: Path) -> None:
    old = _state(tmp_path, "old", 1_000)
    recent = _state(tmp_path, "recent", 3_000)
    newest = _state(tmp_path, "newest", 4_000)
    middle = _state(tmp_path, "middle", 2_000)

    removed = prune_states(tmp_path, keep=2)

    assert removed == [middle, old]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "newest.json",
        "newest.kv",
        "recent.json",
        "recent.kv",
    ]
    assert recent.exists() and newest.exists()


def test_nothing_is_removed_when_few_states_exist(tmp_path: Path) -> None:
    _state(tmp_path, "only", 1_000)
    assert prune_states(tmp_path, keep=4) == []
    assert (tmp_path / "only.kv").exists()
