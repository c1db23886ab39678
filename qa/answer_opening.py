"""The opening of an answer, written from its question, for the model to go on from.

Asked "Menurut Putin, tatanan yang dipaksakan Washington pada hakikatnya hanyalah apa?", the
small model wrote "... hanyalah satu." and stopped; asked "Apa nama latin dari kambing hutan?", it
named the rhinoceros of the next sentence. Its answer started for it with the question as a
statement up to the gap ("Menurut Putin, tatanan ... hanyalah", "Nama latin dari kambing hutan
adalah"), it writes what fills the gap instead (bench/QUALITY.md row 44). Only Indonesian
questions whose question word ends them, or that start "Siapa/Apa nama ...": the same opening for
"Apa yang ...?" ("Yang dibutuhkan ... adalah") lost right answers and gained none, for "Siapa
yang ...?" it gained as many as it lost, other shapes need the words moved, and English
questions were not measured.
"""

from __future__ import annotations

import re

from qa.prompting import without_now

# "Menurut Lim, apa nama ...": a clause before the question word stays in front.
_LEAD = r"(?P<lead>[^,?]{1,80},\s*)?"
# "... hanyalah apa?" -> "... hanyalah"
_ENDS_ASKING = re.compile(
    r"^(?P<body>.{12,}?)\s+(?:apa|apakah|siapa|siapakah|mana|manakah)$", re.IGNORECASE
)
# "Apa nama latin dari kambing hutan?" -> "Nama latin dari kambing hutan adalah"
_ASKS_NAME = re.compile(
    _LEAD + r"(?:siapa|siapakah|apa|apakah)\s+(?P<body>nama\s.+)$", re.IGNORECASE
)


def answer_opening(question: str, language: str) -> str | None:
    """The first words of the answer (the question as a statement up to its gap), or None
    when the question is not of a shape that was measured to gain from one."""
    if language != "id":
        return None
    asked = without_now(question).strip().rstrip("?!. ").strip()
    if match := _ENDS_ASKING.match(asked):
        opening = match["body"]
    elif match := _ASKS_NAME.match(asked):
        opening = (match["lead"] or "") + match["body"] + " adalah"
    else:
        return None
    return opening[0].upper() + opening[1:]
