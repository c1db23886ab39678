"""Near spellings of a name: across languages ("Rusia"/"Russia") and slips ("Sagianto"/"Sugianto").

Its own module so that the answer checks and translation share it without importing each other.
"""

from __future__ import annotations


def close_spelling(a: str, b: str) -> bool:
    """Near spellings of one name across languages ("Rusia"/"Russia", "Ukraina"/"Ukraine")."""
    return _close(a, b, 2 if len(a) > 4 else 1)


def misspelling(a: str, b: str) -> bool:
    """One letter apart, in words long enough for that to be a slip ("Sagianto"/"Sugianto")."""
    return len(a) >= 5 and len(b) >= 5 and a != b and _close(a, b, 1)


def _close(a: str, b: str, limit: int) -> bool:
    """Edit distance of ``a`` and ``b`` is at most ``limit`` (small strings; early exit)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit
