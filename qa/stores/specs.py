"""The ``--store`` values each kind of store takes: what settings validate without opening one
(``qa.stores`` adds how each kind opens)."""

from __future__ import annotations

from collections.abc import Callable

from qa.errors import InputError

# name -> (an example for messages, whether a --store value is of this kind)
STORE_SPECS: dict[str, tuple[str, Callable[[str], bool]]] = {
    "files": ("files", lambda spec: spec == "files"),
    "milvus": (
        "milvus:PATH.db or http://host:19530",
        lambda spec: spec.startswith(("milvus:", "http://", "https://")),
    ),
}


def store_name(spec: str) -> str:
    """The kind of store ``spec`` names; one line naming the choices otherwise."""
    for name, (_example, accepts) in STORE_SPECS.items():
        if accepts(spec):
            return name
    choices = ", ".join(example for example, _accepts in STORE_SPECS.values())
    raise InputError(f"unknown store {spec!r}; use one of: {choices} (--store or QA_STORE)")
