"""The opening of an answer, written from its question, for the model to go on from.

Asked "Menurut Putin, tatanan yang dipaksakan Washington pada hakikatnya hanyalah apa?", the
small model wrote "... hanyalah satu." and stopped; asked "Apa nama latin dari kambing hutan?", it
named the rhinoceros of the next sentence. Its answer started for it with the question as a
statement up to the gap ("Menurut Putin, tatanan ... hanyalah", "Nama latin dari kambing hutan
adalah"), it writes what fills the gap instead (bench/QUALITY.md row 44). Only Indonesian
questions whose question word ends them, or that start "Siapa/Apa nama ...": the same opening for
"Apa yang ...?" ("Yang dibutuhkan ... adalah") lost right answers and gained none, for "Siapa
yang ...?" it gained as many as it lost, other shapes need the words moved.

In English only "What does/do <Name> <verb> ...?" gets one: the words need only the auxiliary
dropped ("What does Putin want to show he can keep doing despite ...?" -> "Putin wants to show he
can keep"), which turned the model from the sentence before to the one asked about (row 46).
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


# "What does Putin want to show ...?", "Besides technology, what does Lim Eunjung say ...?",
# "What do Russia and North Korea want ...?": the subject must be a name, so it ends clearly.
_NAMES = r"(?:[A-Z][\w'’-]*\s+)+(?:and\s+(?:[A-Z][\w'’-]*\s+)+)?"
_ASKS_WHAT_DOES = re.compile(
    _LEAD + r"(?i:what)\s+(?P<aux>does|do)\s+(?P<subject>" + _NAMES + r")"
    r"(?P<adverb>[a-z]+ly\s+)?(?P<verb>[a-z]+)\b(?P<rest>.*)$"
)
# "What does Easley hope will fail ...?": what is asked is the subject of what follows the verb.
_ASKED_AS_SUBJECT = re.compile(
    r"^\s*(?:will|would|can|could|should|may|might|must|is|are|was|were)\b"
)
# A clause after the gap ("... lacks access to because of its programs"): the answer goes first.
_AFTER_THE_GAP = re.compile(r"\s+(?:because|despite|if|when|although|after|before|while)\b.*$")
# "... he can keep doing": "doing" stands for the answer itself.
_STANDS_FOR_IT = re.compile(r"\s+(?:doing|do)$")


def _third_person(verb: str) -> str:
    if verb == "have":
        return "has"
    if verb in ("do", "go") or re.search(r"(?:s|sh|ch|x|z)$", verb):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


def _english_opening(asked: str) -> str | None:
    if not (match := _ASKS_WHAT_DOES.match(asked)):
        return None
    verb = _third_person(match["verb"]) if match["aux"] == "does" else match["verb"]
    rest = match["rest"]
    if _ASKED_AS_SUBJECT.match(rest):
        rest = ""
    rest = _STANDS_FOR_IT.sub("", _AFTER_THE_GAP.sub("", rest))
    return (match["lead"] or "") + match["subject"] + (match["adverb"] or "") + verb + rest


def answer_opening(question: str, language: str) -> str | None:
    """The first words of the answer (the question as a statement up to its gap), or None
    when the question is not of a shape that was measured to gain from one."""
    asked = without_now(question).strip().rstrip("?!. ").strip()
    if language == "en":
        opening = _english_opening(asked)
    elif language != "id":
        return None
    elif match := _ENDS_ASKING.match(asked):
        opening = match["body"]
    elif match := _ASKS_NAME.match(asked):
        opening = (match["lead"] or "") + match["body"] + " adalah"
    else:
        return None
    return opening[0].upper() + opening[1:] if opening else None


# "Siapa yang menyebut X?" -> "Yang menyebut X adalah"; "Siapakah antariksawan China yang
# pertama?" -> "Antariksawan China yang pertama adalah" ("Siapa nama" has its first opening).
_ASKS_WHO_IS = re.compile(_LEAD + r"(?:siapa|siapakah)\s+(?P<body>(?!nama\b)\w.*)$", re.IGNORECASE)


def naming_opening(question: str, language: str) -> str | None:
    """The opening of a second try at "Siapa (yang) ...?" when the first answer named no one
    (``qa.checks.restatement.names_no_one``): the question as a statement up to the name.

    Not a first opening: on every "Siapa yang" question it gained as many answers as it lost
    (row 44), but the answers it is given to here have already lost (rows 49-50).
    """
    if language != "id":
        return None
    asked = without_now(question).strip().rstrip("?!. ").strip()
    if not (match := _ASKS_WHO_IS.match(asked)):
        return None
    opening = (match["lead"] or "") + match["body"] + " adalah"
    return opening[0].upper() + opening[1:]
