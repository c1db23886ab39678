"""Rewrites of names: an answer names people and bodies as its passages do (the whole name, the
short form, the title and the spelling they use)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.checks.registry import INDONESIAN, AnswerContext, check
from qa.checks.text import (
    ABBREVIATION,
    CAPITALISED,
    JOINING_WORDS,
    NAME_BEFORE,
    one_spelling,
    spelt_out_anywhere,
    starts_sentence,
    text_of,
)
from qa.lexical import tokenize
from qa.prompting import Passage
from qa.vocabulary import MENTIONS_WHO, TITLES

_INITIAL = re.compile(r"\b([A-Z])\. (?=[A-Z])")


def initials_as_written(answer: str, passages: Sequence[Passage]) -> str:
    """Undo the model's "Samuel P. Huntington" for the passages' "Samuel P Huntington" (the
    Indonesian press writes initials without a period), where the passages write it so."""
    text = text_of(passages)

    def as_written(m: re.Match[str]) -> str:
        rest = answer[m.end() :].split(" ", 1)[0].rstrip(".,;:)")
        bare, dotted = f"{m.group(1)} {rest}", f"{m.group(1)}. {rest}"
        return f"{m.group(1)} " if bare in text and dotted not in text else m.group(0)

    return _INITIAL.sub(as_written, answer)


_LONE_NAME = re.compile(rf"(?<![\w'’-]){CAPITALISED}(?![\w'’-])(?!\s+[A-Z])")


def full_names_as_written(answer: str, passages: Sequence[Passage], question: str) -> str:
    """Write the person a *who* question is answered with by the whole name the passages give
    ("Mubarak" -> "Hosni Mubarak"): a bare surname is half an answer when the passages name the
    person in full. Only a one-word name the question lacks, and only with words bound to it:
    the passages always put the word taken right before the next ("Hosni" only ever before
    "Mubarak"), so a title or a place ("Presiden", "Mesir") is not taken for a given name."""
    if not MENTIONS_WHO.search(question):
        return answer
    text = text_of(passages)
    asked = set(re.findall(r"[\w'’-]+", question.casefold()))

    def given_name(word: str) -> str | None:
        """The one capitalised word the passages put right before ``word``, if it is never
        anywhere else."""
        before = {
            m.group(1)
            for m in re.finditer(rf"(?<![\w'’-])({CAPITALISED}) {re.escape(word)}(?![\w'’-])", text)
        }
        if len(before) != 1:
            return None
        (given,) = before
        key = given.casefold()
        if key in asked or key in TITLES or tokenize(given)[:1] != [key]:
            return None  # the question's, a title, a function word or a derived one ("Menurut")
        elsewhere = rf"(?<![\w'’-]){re.escape(given)}(?![\w'’-])(?! {re.escape(word)}(?![\w'’-]))"
        return None if re.search(elsewhere, text) else given

    def whole(m: re.Match[str]) -> str:
        if m.group(0).casefold() in asked or NAME_BEFORE.search(answer[: m.start()]):
            return m.group(0)
        name = [m.group(0)]
        while len(name) < 3 and (given := given_name(name[0])):
            name.insert(0, given)
        full = " ".join(name)
        return m.group(0) if len(name) > 1 and full in answer else full  # named in full already

    return _LONE_NAME.sub(whole, answer)


# A name as the passages introduce it, with its short form or its expansion in brackets:
# "Asosiasi Pertekstilan Indonesia (API)", "OSIRIS (Optical, … Imaging System)".
_NAME_RUN = rf"{CAPITALISED}(?:\s+(?:{CAPITALISED}|dan|and|of|for|the|untuk|van|de))*"

_BRACKETED_NAME = re.compile(rf"(?<![\w'’-])({_NAME_RUN})\s+\(([^()\d]{{2,80}})\)")


def _short_and_long(name: str, bracket: str) -> bool:
    """Whether the bracket gives the name's short form ("… Indonesia (API)") or, after a short
    form, its expansion ("JICA (Japan International …)"), not an aside ("Kuppers (Institut …)")."""
    if len(name.split()) > 1:
        return bool(ABBREVIATION.fullmatch(bracket))
    return (
        bool(ABBREVIATION.fullmatch(name))
        and len(bracket.split()) > 1
        and bracket[0].casefold() == name[0].casefold()
    )


def _spelt_out(name: str, short: str) -> str | None:
    """The end of ``name`` whose capitalised words' initials spell ``short`` ("Pemerintah RI
    dan Gerakan Aceh Merdeka", "GAM" -> "Gerakan Aceh Merdeka"), if any."""
    words = name.split()
    for start in range(len(words) - 1, -1, -1):
        initials = "".join(w[0] for w in words[start:] if w[0].isupper())
        if initials.casefold() == short.casefold():
            return " ".join(words[start:])
    return None


def _bare(name: str, at: int, text: str) -> list[str]:
    """The ways an answer may write a bracketed name of the passages: whole, without the titles
    before it ("Ketua Asosiasi …" -> "Asosiasi …"), without a sentence opener ("Menurut …")."""
    whole = name.split()
    starts = [whole]
    if len(whole) > 1 and starts_sentence(text, at, (".", "!", "?", "-")):  # "Kompas-Otoritas"
        starts.append(whole[1:])
    forms = []
    for words in starts:
        forms.append(words)
        while len(words) > 1 and words[0].casefold() in TITLES:
            words = words[1:]
            forms.append(words)
    return [" ".join(f) for f in forms if len(f) > 1 or ABBREVIATION.fullmatch(f[0])]


# Ranks, degrees and legal forms an article writes as part of how it names someone or something
# ("Jenderal Than Shwe", "Ir Bambang Istijono", "PT Indelberg Indonesia").
_NAMING_TITLES = frozenset([
    "jenderal", "kolonel", "mayor", "kapten", "letjen", "mayjen", "brigjen", "laksamana",
    "marsekal", "kanselir", "raja", "ratu", "sultan", "paus", "syekh", "profesor", "prof", "dr",
    "ir", "drs", "h", "hj", "kh", "pt", "cv", "drg", "drh", "dra",
])  # fmt: skip

# Degrees Indonesian news writes in lower case before a name ("dr Ilham Patu", "drg Susi").
_LOWER_CASE_DEGREES = frozenset(["dr", "drg", "drh", "drs", "dra"])

# Words a longer title starts with, so a rank after them is no rank ("Sekretaris Jenderal").
_TITLE_STARTS = TITLES | {"sekretaris", "inspektur"}

_WORD_BEFORE = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*\s+$")  # "H Basril Djabar": "H"

_NAME_OF_WORDS = re.compile(rf"(?<![\w'’-]){CAPITALISED}(?:\s+{CAPITALISED})+(?![\w'’-])")


def titles_as_written(answer: str, passages: Sequence[Passage]) -> str:
    """Give a name of two or more words the one rank, degree or legal form the passages put
    before it ("Than Shwe" -> "Jenderal Than Shwe"): news names someone in full at the first
    mention and shortly after, and the full form is how the article names them. Not when the
    answer already has a capitalised word before the name or uses the title elsewhere
    ("Kanselir Jerman adalah Gerhard Schroeder"), nor for a title that ends a longer one
    ("Direktur Jenderal …")."""
    text = text_of(passages)
    said = set(re.findall(r"[\w'’-]+", answer.casefold()))

    def title_before(at: int) -> str | None:
        """The word right before position ``at``, unless it ends a longer title."""
        word = re.search(r"(?<![\w'’-])([\w'’-]+)\s+$", text[:at])
        if word is None:
            return None
        longer = re.search(r"([\w'’-]+)\s+$", text[: word.start()])
        if longer and longer.group(1).casefold() in _TITLE_STARTS:
            return None  # "Direktur Jenderal …", "Sekretaris Jenderal …"
        return word.group(1)

    def titled(m: re.Match[str]) -> str:
        name = m.group(0)
        if name.split()[0].casefold() in TITLES or _WORD_BEFORE.search(answer[: m.start()]):
            return name
        pattern = rf"(?<![\w'’-]){re.escape(name)}(?![\w'’-])"
        titles = {
            title
            for o in re.finditer(pattern, text)
            if (title := title_before(o.start()))
            and (title[0].isupper() or title in _LOWER_CASE_DEGREES)
            and title.casefold() in _NAMING_TITLES
        }
        if len(titles) != 1:
            return name
        (title,) = titles
        return name if title.casefold() in said else f"{title} {name}"

    return _NAME_OF_WORDS.sub(titled, answer)


# Three or more capitalised words, with the small words a spelt-out name has between them.
_SPELT_OUT_RUN = re.compile(
    rf"(?<![\w'’-]){CAPITALISED}(?:\s+{JOINING_WORDS}{CAPITALISED}){{2,}}(?![\w'’-])"
)


def _short_form_written(run: str, text: str, answer: str) -> str:
    """The short form the passages write for a name the model spelt out from memory
    ("Universitas Gadjah Mada" where they only say "UGM"), else the name as it was: the words of
    the name (or of its end, "Dekan Universitas Gadjah Mada") give the short form's letters.
    Not when the answer gives the short form too ("PT Karaha Bodas Company (KBC)")."""
    if run in text:
        return run
    starts = [m.start() for m in re.finditer(CAPITALISED, run)]
    for first in range(len(starts) - 2):
        short = "".join(run[at] for at in starts[first:])
        found = rf"(?<![\w'’-]){short}(?![\w'’-])"
        if (
            re.search(found, text)
            and not re.search(found, answer)
            and not re.search(spelt_out_anywhere(short), text)
        ):
            return run[: starts[first]] + short
    return run


def abbreviations_as_written(answer: str, passages: Sequence[Passage]) -> str:
    """Write a name with the short form or expansion the passages give it in brackets, and a
    short form the model spelt out as the passages write it: "Asosiasi Pertekstilan Indonesia"
    -> "… (API)", "OSIRIS" -> "OSIRIS (Optical, …)", "Institut Teknologi Bandung (ITB)" -> "ITB"
    where the passages only ever say "ITB". The model drops the one and guesses the other, and a
    reader looks for the name as the article writes it."""
    text = text_of(passages)
    known = set(re.findall(r"\w+", text.casefold()))

    def short_form(m: re.Match[str]) -> str:
        expansion, short = m.group(1), m.group(2)
        words = re.findall(r"\w+", expansion.casefold())
        guessed = (
            len(words) > 1
            and ABBREVIATION.fullmatch(short)
            and sum(w in known for w in words) < len(words) / 2
            and re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)
        )
        return short if guessed else m.group(0)

    answer = _BRACKETED_NAME.sub(short_form, answer)
    answer = _SPELT_OUT_RUN.sub(lambda m: _short_form_written(m.group(0), text, answer), answer)
    # What the answer may write -> (the other half, the whole as the passages write it).
    written: dict[str, set[tuple[str, str]]] = {}
    for m in _BRACKETED_NAME.finditer(text):
        name, bracket = m.group(1), m.group(2).strip()
        if not _short_and_long(name, bracket):
            continue
        for bare in _bare(name, m.start(), text):
            written.setdefault(bare, set()).add((bracket, f"{bare} ({bracket})"))
        if len(bracket) > 2 and (spelt := _spelt_out(name, bracket)):  # not "AS": "dollar AS"
            written.setdefault(bracket, set()).add((spelt, f"{spelt} ({bracket})"))
    for name, forms in written.items():
        if len(forms) != 1:
            continue  # "Isinbayeva (Rusia)" here and "(26)" there: no one way to write it
        ((other, whole),) = forms
        if other.casefold() in answer.casefold():
            continue
        # A short form stands whole beside other names ("Direktur Utama BES Bastian Purnama");
        # a name must not be part of a longer one.
        short = whole.endswith(f"({name})")
        ends = r"(?!\s*\()" if short else r"(?!\s+[A-Z(])"
        for m in re.finditer(rf"(?<![\w'’(-]){re.escape(name)}(?![\w'’-]){ends}", answer):
            before = NAME_BEFORE.search(answer[: m.start()])
            if short or before is None or before.group(0).strip().casefold() in TITLES:
                answer = f"{answer[: m.start()]}{whole}{answer[m.end() :]}"
                break
    return answer


def spellings_as_written(answer: str, passages: Sequence[Passage]) -> str:
    """Write a name the way the passages spell it when the answer uses another spelling of it
    ("Afghanistan" where they write "Afganistan"): the model spells names as it learnt them, the
    articles as Indonesian news does, and the article's spelling is the fact quoted."""
    text = text_of(passages)
    written = {w.casefold() for w in re.findall(r"[\w'’-]+", text)}
    spelt: dict[str, str] = {}
    for word in re.findall(r"[A-Z][\w'’-]+", text):
        spelt.setdefault(one_spelling(word.casefold()), word)

    def as_written(m: re.Match[str]) -> str:
        word = m.group(0)
        if word.casefold() in written:
            return word
        return spelt.get(one_spelling(word.casefold()), word)

    return re.sub(r"(?<![\w'’-])[A-Z][\w'’-]+", as_written, answer)


# ---------------------------------------------------------------- the checks


@check("rewrite.initials", "rewrite")
def initials(ctx: AnswerContext, text: str) -> str:
    """Write initials as the passages do ("J. Easley" -> "J Easley" when they write it so)."""
    return initials_as_written(text, ctx.read)


@check("rewrite.full-names", "rewrite")
def full_names(ctx: AnswerContext, text: str) -> str:
    """Answer a *who* question with the whole name the passages give, not a bare surname."""
    return full_names_as_written(text, ctx.read, ctx.question)


@check("rewrite.abbreviations", "rewrite", INDONESIAN)
def abbreviations(ctx: AnswerContext, text: str) -> str:
    """Write a short form or its spelt-out name as the passages pair them."""
    return abbreviations_as_written(text, ctx.read)


@check("rewrite.spellings", "rewrite", INDONESIAN)
def spellings(ctx: AnswerContext, text: str) -> str:
    """Write a name in the passages' old or new spelling ("Soeharto"/"Suharto")."""
    return spellings_as_written(text, ctx.read)


@check("rewrite.titles", "rewrite", INDONESIAN)
def titles(ctx: AnswerContext, text: str) -> str:
    """Keep the rank or degree the passages name someone with ("Jenderal Than Shwe")."""
    return titles_as_written(text, ctx.read)
