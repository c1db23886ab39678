"""Text helpers the answer checks share: where a sentence starts, names and numbers in a text,
spelling variants and spelt-out names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.prompting import CITATION, Passage, strip_citations


def text_of(passages: Sequence[Passage]) -> str:
    return " ".join(p.text for p in passages)


def starts_sentence(text: str, at: int, marks: tuple[str, ...] = (".", "!", "?")) -> bool:
    """Whether position ``at`` of ``text`` is the start of a sentence (or follows ``marks``)."""
    return at == 0 or text[:at].rstrip().endswith(marks)


def as_placed(word: str, text: str, at: int) -> str:
    """``word`` capitalised when it is put at a sentence start of ``text`` (position ``at``)."""
    return word.capitalize() if starts_sentence(text, at) else word


_CITATION_MARK = rf"(?:{CITATION})?"

# What may follow an answer's last word: a citation, a full stop, a citation.
AT_THE_END = rf"{_CITATION_MARK}\s*[.!]?{_CITATION_MARK}\s*$"

CAPITALISED = r"[A-Z][\w'’-]+"

NAME_BEFORE = re.compile(rf"{CAPITALISED}\s+$")

ABBREVIATION = re.compile(r"[A-Z][\w-]*[A-Z][\w-]*")

# Small words a spelt-out name has between its capitalised ones ("Fakultas Matematika dan Ilmu
# Pengetahuan Alam", FMIPA).
JOINING_WORDS = r"(?:(?:dan|and|of|untuk|for|&)\s+)?"

_NAME_OR_NUMBER = re.compile(r"\b(?:[A-Z][\w'’-]+|\d[\d.,]*)")


def names_and_numbers(text: str) -> list[str]:
    """Capitalised words (not at a sentence start) and numbers: what a fact hangs on."""
    return [word for group in name_groups(text) for word in group]


# What may stand between two words of one name: spaces, initials ("Felix C Sutanto") and an
# ampersand ("Raum & Schatten").
_WITHIN_NAME = re.compile(r"\s+(?:&\s+)?(?:[A-Z]\.?\s+)*")


def name_groups(text: str) -> list[list[str]]:
    """Names and numbers, adjacent capitalised words grouped into one name
    ("Pekan Olahraga Provinsi Sumsel"), each number on its own."""
    body = strip_citations(text)
    sentence_starts = {m.end() for m in re.finditer(r"(?:^|[.!?]\s+)", body)}
    groups: list[list[str]] = []
    previous_end = -1
    for m in _NAME_OR_NUMBER.finditer(body):
        word = m.group(0).rstrip(".,")
        if m.start() in sentence_starts and not word[0].isdigit():
            continue  # a capital at a sentence start says nothing
        joined = (
            groups
            and not word[0].isdigit()
            and not groups[-1][-1][0].isdigit()
            and _WITHIN_NAME.fullmatch(body[previous_end : m.start()])
        )
        if joined:
            groups[-1].append(word)
        else:
            groups.append([word])
        previous_end = m.start() + len(word)
    return groups


# Spellings of one name in older or foreign and in current Indonesian ("Iraq"/"Irak",
# "Soeharto"/"Suharto", "Djakarta"/"Jakarta", "Philipina"/"Filipina", "Afghanistan"/"Afganistan").
_SPELLING_VARIANTS = re.compile(r"oe|dj|tj|ph|q|gh")

_VARIANT_OF = {"oe": "u", "dj": "j", "tj": "c", "ph": "f", "q": "k", "gh": "g"}


def one_spelling(text: str) -> str:
    return _SPELLING_VARIANTS.sub(lambda m: _VARIANT_OF[m.group(0)], text)


def spelt_out_anywhere(short_form: str) -> str:
    """A pattern for the capitalised words a short form of three or more letters stands for,
    anywhere in a text (``_spelt_out`` looks only at the end of one name)."""
    if len(short_form) < 3 or not short_form.isalpha():
        return r"(?!)"
    words = [rf"{re.escape(c)}[\w'’]*" for c in short_form]
    return r"\b" + rf"\s+{JOINING_WORDS}".join(words) + r"\b"
