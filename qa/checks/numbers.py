"""Rewrites of numbers and dates: an answer writes them as its passages do (a right answer in
other digits or with an invented year would count as outside knowledge)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.checks.registry import INDONESIAN, AnswerContext, check
from qa.checks.text import AT_THE_END, as_placed, text_of
from qa.lexical import STOPWORDS, stem, tokenize
from qa.prompting import Passage
from qa.vocabulary import MEASURES, MONTH_NAMES, SMALL_NUMBER_WORDS, YEAR

_SPLIT_NUMBER = re.compile(r"\b(\d+)([.,]) (\d+)\b")


def rejoin_numbers(answer: str, passages: Sequence[Passage]) -> str:
    """Undo the model's "7, 6 persen" for the passages' "7,6 persen": a decimal or thousands
    separator followed by a space, where the passages write the number without it."""

    def joined(m: re.Match[str]) -> str:
        number = f"{m.group(1)}{m.group(2)}{m.group(3)}"
        pattern = re.compile(rf"(?<![\d.,]){re.escape(number)}(?![\d])")
        return number if any(pattern.search(p.text) for p in passages) else m.group(0)

    return _SPLIT_NUMBER.sub(joined, answer)


_MONTH = "|".join(dict.fromkeys([*MONTH_NAMES[0], *MONTH_NAMES[1]]))

_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}) ({_MONTH})\b(?:(,? )(\d{{4}})\b)?", re.IGNORECASE)

_MONTH_DAY = re.compile(rf"\b({_MONTH}) (\d{{1,2}})\b(?:(, )(\d{{4}})\b)?", re.IGNORECASE)

_ASKS_YEAR = re.compile(r"\b(?:tahun|year)\b", re.IGNORECASE)


def dates_as_written(answer: str, passages: Sequence[Passage], question: str) -> str:
    """Write a date of the answer as the passages write it, without a year they do not give with it.

    Indonesian news dates events as "Jumat (9/9)"; the model writes "9 September 2019", and the
    invented year and month name would make the whole (right) answer count as outside
    knowledge. So "9 September 2019" becomes "9/9" when that is how a passage has it, and loses
    the year when no passage holds it. Never when the question asks for a year."""
    if _ASKS_YEAR.search(question):
        return answer
    context = text_of(passages).casefold()

    def fix(m: re.Match[str], day: str, month: str) -> str:
        d, key = int(day), month.casefold()
        number = next(names.index(key) for names in MONTH_NAMES if key in names) + 1
        names = {by_number[number - 1] for by_number in MONTH_NAMES}
        named = [rf"\b0?{d} {n}\b|\b{n} 0?{d}\b" for n in names]
        numeric = rf"(?<![\d/])0?{d}/0?{number}(?![\d])"
        if any(re.search(pattern, context) for pattern in named):
            date = m.group(0)[: m.end(2) - m.start()]  # the passages name the month too
        elif found := re.search(numeric, context):
            date = found.group(0)
        else:
            return m.group(0)  # a date the passages do not give: grounding judges it
        year = m.group(4)
        # the year stays only where the passages give it with this date, not anywhere at all
        dated = (rf"(?:{p})\W{{1,12}}(?:\w+\W+){{0,2}}{year}\b" for p in [*named, numeric])
        return (
            f"{date}{m.group(3)}{year}"
            if year and any(re.search(x, context) for x in dated)
            else date
        )

    def numeric(m: re.Match[str]) -> str:
        given = re.search(rf"(?<![\d/]){re.escape(m.group(2))}(?![\d/])", context)
        return m.group(1) if given and m.group(4) not in context else m.group(0)

    answer = _DAY_MONTH.sub(lambda m: fix(m, m.group(1), m.group(2)), answer)
    answer = _MONTH_DAY.sub(lambda m: fix(m, m.group(2), m.group(1)), answer)
    return _NUMERIC_DATE.sub(numeric, answer)


# "12/9/2021", "Rabu (3/8) pada tahun 2009": a day/month the passages give, with a year the model
# added.
_NUMERIC_DATE = re.compile(
    r"(?<![\d/])(\(?(\d{1,2}/\d{1,2})\)?)(/|,?\s+(?:pada\s+|in\s+)?(?:tahun\s+)?)(\d{4})(?![\d/])"
)

_NUMBER_WORDS = SMALL_NUMBER_WORDS["id"]

_SMALL_NUMBER = re.compile(r"(?<![\d.,/])(\d{1,2})(?![\d.,/%])(\s+)(\w+)")


def number_words_as_written(answer: str, passages: Sequence[Passage], language: str = "id") -> str:
    """Write "2 kilometer" as "dua kilometer" ("5 million" as "five million" in English) when
    that is how the passages say it (Indonesian news spells small numbers out): a number the
    passages never write in digits would make a right answer count as outside knowledge. Only
    with the same following word, so a number the passages do not give stays for grounding."""
    context = text_of(passages).casefold()
    words = SMALL_NUMBER_WORDS["en" if language == "en" else "id"]

    def spelled(m: re.Match[str]) -> str:
        value = int(m.group(1))
        if value >= len(words) or re.search(rf"(?<![\d.,/]){value}(?![\d])", context):
            return m.group(0)
        word = words[value]
        if not re.search(rf"\b{word}\s+{re.escape(m.group(3).casefold())}\b", context):
            return m.group(0)
        return f"{as_placed(word, answer, m.start())}{m.group(2)}{m.group(3)}"

    return _SMALL_NUMBER.sub(spelled, answer)


# Counting words Indonesian may put between a number and what it counts ("12 orang anggota").
_CLASSIFIERS = "orang|buah|ekor|unit|biji|batang|lembar|butir|helai|pucuk"

_CLASSIFIED_COUNT = re.compile(
    rf"(?<![\w.,/])(\d[\d.,]*\d|\d|{'|'.join(_NUMBER_WORDS)})\s+(?:{_CLASSIFIERS})\s+(?=([\w-]+))",
    re.IGNORECASE,
)


def counts_as_written(answer: str, passages: Sequence[Passage]) -> str:
    """Drop a counting word the model put between a number and what it counts when the passages
    count without it ("12 orang anggota" where they say "12 anggota"): the passages' words are
    the fact, and the extra word splits the count from what it counts."""
    context = text_of(passages).casefold()

    def written(m: re.Match[str]) -> str:
        number, counted = re.escape(m.group(1).casefold()), re.escape(m.group(2).casefold())
        bare = re.search(rf"(?<![\w.,/]){number}\s+{counted}\b", context)
        classified = re.search(rf"(?<![\w.,/]){number}\s+(?:{_CLASSIFIERS})\s+{counted}\b", context)
        return f"{m.group(1)} " if bare and not classified else m.group(0)

    return _CLASSIFIED_COUNT.sub(written, answer)


# Units a count or measure is given in, which the question need not name ("Berapa panjang …?").
_UNITS = MEASURES | {"detik", "menit", "jam", "hari", "pekan", "minggu", "bulan"}

_BARE_NUMBER_AT_END = re.compile(rf"(?<![\w.,/-])(\d[\d.,]*\d|\d)(?={AT_THE_END})")


def counted_as_written(answer: str, passages: Sequence[Passage], question: str) -> str:
    """Give a number that ends the answer what the passages count or measure with it ("Jumlah
    desa … adalah 1.336" -> "1.336 desa", "1.200" -> "1.200 meter"): a bare number leaves the
    reader to guess the unit. Only when every time the passages write the number they follow it
    with the same lower-case word, and that word is the question's or a unit."""
    m = _BARE_NUMBER_AT_END.search(answer)
    if m is None or YEAR.fullmatch(m.group(1)):
        return answer
    number = m.group(1)
    text = text_of(passages)
    followers = {
        w.group(1)
        for w in re.finditer(rf"(?<![\w.,/-]){re.escape(number)}(?![\d.,]\d)\s*([^\W\d]+)", text)
    }
    if len(followers) != 1:
        return answer
    (word,) = followers
    if not word.islower() or word in STOPWORDS:
        return answer  # a name ("Fokker 28-1000 TANS") or a function word ("17 di antaranya")
    if word not in _UNITS and stem(word) not in tokenize(question):
        return answer
    return f"{answer[: m.end()]} {word}{answer[m.end() :]}"


# Words that make a number approximate or a bound; the passages' choice is part of the fact.
_QUALIFIERS = (
    "kurang lebih|lebih kurang|lebih dari|kurang dari|paling sedikit|paling banyak|sekitar|"
    "kira-kira|hampir|sedikitnya|setidaknya|minimal|maksimal|antara"
)

_QUALIFIED_NUMBER = re.compile(
    rf"(?:\b(?P<q>{_QUALIFIERS})\s+)?(?<![\d.,/\[])(?P<n>\d[\d.,]*\d|\d)(?![\d/\]])", re.IGNORECASE
)

_COUNTED_BEFORE = re.compile(r"\b(?:sebanyak|sejumlah)\s+$", re.IGNORECASE)


def qualifiers_as_written(answer: str, passages: Sequence[Passage]) -> str:
    """Give a number the qualifier the passages give it ("1.400 pakar" -> "sekitar 1.400 pakar",
    "sekitar 700" -> "antara 700"): "lebih dari 36.000 jiwa" is another fact than "36.000 jiwa",
    and the model drops or swaps these words. Only when every time the passages write the number
    they write it with the same qualifier."""
    text = text_of(passages)

    def written(m: re.Match[str]) -> str:
        number = m.group("n")
        if YEAR.fullmatch(number) or _COUNTED_BEFORE.search(answer[: m.start()]):
            return m.group(0)  # a year is a date; "sebanyak 17" already says how it counts
        found = [
            (w.group("q") or "").casefold()
            for w in _QUALIFIED_NUMBER.finditer(text)
            if w.group("n") == number
        ]
        if not found or len(set(found)) != 1 or not found[0]:
            return m.group(0)
        qualifier = found[0]
        if (m.group("q") or "").casefold() == qualifier:
            return m.group(0)
        return f"{as_placed(qualifier, answer, m.start())} {number}"

    return _QUALIFIED_NUMBER.sub(written, answer)


# ---------------------------------------------------------------- the checks


@check("rewrite.rejoined-numbers", "rewrite")
def rejoined_numbers(ctx: AnswerContext, text: str) -> str:
    """Rejoin a number the tokenizer split ("1. 200" -> "1.200") as the passages write it."""
    return rejoin_numbers(text, ctx.read)


@check("rewrite.dates", "rewrite")
def dates(ctx: AnswerContext, text: str) -> str:
    """Write a date as the passages do, without a year they do not give with it."""
    return dates_as_written(text, ctx.everything_read, ctx.question)


@check("rewrite.number-words", "rewrite")
def number_words(ctx: AnswerContext, text: str) -> str:
    """Spell a small number out ("2 kilometer" -> "dua kilometer") when the passages do."""
    return number_words_as_written(text, ctx.read, ctx.language)


@check("rewrite.qualifiers", "rewrite", INDONESIAN)
def qualifiers(ctx: AnswerContext, text: str) -> str:
    """Keep the passages' qualifier of a number ("sekitar", "lebih dari")."""
    return qualifiers_as_written(text, ctx.read)


@check("rewrite.counts", "rewrite", INDONESIAN)
def counts(ctx: AnswerContext, text: str) -> str:
    """Write a count with the classifier the passages count it in ("12 orang anggota")."""
    return counts_as_written(text, ctx.read)


@check("rewrite.counted", "rewrite", INDONESIAN)
def counted(ctx: AnswerContext, text: str) -> str:
    """Give a bare number that ends the answer what the passages count or measure with it."""
    return counted_as_written(text, ctx.read, ctx.question)
