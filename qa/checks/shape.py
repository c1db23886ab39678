"""Whether an answer has the shape its question asks for: a count, a date, a weekday, an
amount of money, a time to come.

A small model asked something the articles do not say rarely refuses; it answers with a nearby
fact instead ("How many days did Putin stay?" -> "about 24 years"). An answer of the wrong shape
is such a guess, so the engine turns it into a refusal. The checks are deliberately loose (any
number answers "how many"), so answerable questions are not refused.
"""

from __future__ import annotations

import re

from qa import lexical
from qa.checks.registry import AnswerContext, check
from qa.prompting import strip_citations
from qa.vocabulary import (
    ASKS_WHEN,
    MEASURES,
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    NUMBER_WORDS,
    YEAR,
)

_NUMBER = re.compile(rf"\d|\b(?:ke)?(?:{NUMBER_WORDS})\b", re.IGNORECASE)
# A whole number ("2.000", "3/8") or number word, to compare an answer's with its question's.
_WHOLE_NUMBER = re.compile(rf"\d(?:[\d.,/]*\d)?|\b(?:ke)?(?:{NUMBER_WORDS})\b", re.IGNORECASE)

# Units of time a count can be asked in: Indonesian word -> English stem.
_UNITS = {
    "detik": "second",
    "menit": "minute",
    "jam": "hour",
    "hari": "day",
    "minggu": "week",
    "pekan": "week",
    "bulan": "month",
    "tahun": "year",
    "abad": "centur",
}
_UNIT_OF = {**_UNITS, **{v: v for v in _UNITS.values()}}
# "Berapa (banyak/jumlah) tahun …?": the word counted comes after "banyak"/"jumlah", if any.
_ASKED_UNIT = re.compile(
    r"\b(?:berapa(?:kah)?\s+(?:(?:banyak|jumlah)(?:nya)?\s+(?=\w))?(?P<id>\w+)"
    r"|how\s+many\s+(?P<en>\w+))",
    re.IGNORECASE,
)
# "Pada bulan berapa?" is answered by a month's name.
_MONTH_ASKED = re.compile(r"\bbulan\s+(?:berapa|apa)", re.IGNORECASE)
# Words that can follow "berapa" without being what is counted.
_NOT_COUNTED = frozenset(["yang", "di", "ke", "dari", "pada", "dalam", "untuk", "saat", "sejak"])
# "Tanggal berapa …?", "Pada tahun berapa …?": a noun before "berapa" says what is asked (a date,
# a number in a series), and the word after it is not what is counted.
_WHICH_NUMBER = re.compile(
    r"\b(?:tanggal|tahun|bulan|nomor|no|pukul|jam|hari|abad|angka|peringkat|urutan|ke|edisi"
    r"|periode|babak|putaran)\s+berapa",
    re.IGNORECASE,
)
_COUNT = re.compile(r"\b(?:berapa(?:kah)?|how many|how much|how long|how old)\b", re.IGNORECASE)

_MONTHS = "|".join(dict.fromkeys([*MONTH_NAMES[0], *MONTH_NAMES[1], *MONTH_ABBREVIATIONS]))
_DATE_ASKED = re.compile(
    r"\b(?:tanggal (?:berapa|apa)(?:kah)?|what date|which date|on what date)\b",
    re.IGNORECASE,
)
_DATE = re.compile(rf"\b(?:{_MONTHS})\b|\b\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\b", re.IGNORECASE)
# "How much money …?", "Berapa dana …?": an amount of money, so the answer names a currency. The
# small model otherwise counts whatever is near ("How much money did Russia promise …?" ->
# "more artillery shells than the five million …").
_MONEY_ASKED = re.compile(
    r"\b(?:how\s+much\s+money|berapa(?:kah)?\s+(?:banyak\s+|jumlah\s+)?"
    r"(?:uang|dana|biaya|anggaran|ongkos|modal|harga|gaji|upah|denda))\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"\brp\.?\s*\d|[$€£¥]|\b(?:rupiah|dolar|dollars?|usd|euros?|rubel|rubles?|roubles?|yuan"
    r"|renminbi|won|yen|ringgit|baht|pesos?|pounds?|poundsterling|francs?|rupees?|dinars?"
    r"|riyals?)\b",
    re.IGNORECASE,
)
# "Kapan … akan …?", "When will …?" asks for a time to come: a time gone by ("September tahun
# lalu", "two years ago") tells of another event (held-out h36 answered a visit still to come so).
_FUTURE_WHEN = re.compile(
    r"\b(?:kapan(?:kah)?\b.*\bakan|when\s+(?:will|is\s+\w+\s+going\s+to|would))\b",
    re.IGNORECASE,
)
_PAST_TIME = re.compile(
    r"\b(?:(?:yang\s+)?lalu|kemarin|silam|ago|last\s+(?:year|month|week)|yesterday)\b",
    re.IGNORECASE,
)
_WEEKDAY_ASKED = re.compile(r"\b(?:hari apa|day of the week|which day|what day)\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday)\b",
    re.IGNORECASE,
)


def _unit(word: str) -> str | None:
    word = word.casefold()
    for key, stem in _UNIT_OF.items():
        if word == key or (word.startswith(key) and len(word) <= len(key) + 2):
            return stem
    return None


def _units_in(text: str) -> set[str]:
    return {u for w in re.findall(r"\w+", text) if (u := _unit(w))}


# Words after "berapa" / "how many" that a span of time answers ("Berapa usia …?" "27 tahun").
_SPAN_WORDS = frozenset(
    [
        "lama",
        "lamanya",
        "usia",
        "usianya",
        "umur",
        "umurnya",
        "waktu",
        "catatan",
        "durasi",
        "kali",
        "old",
        "long",
        "times",
        "time",
    ]
)
# "Berapa lama(nya) …?" asks for a span of time (Indonesian has "berapa panjang" for lengths).
_DURATION_WORDS = frozenset(["lama", "lamanya", "durasi"])
_NUMBER_THEN_WORD = re.compile(
    rf"(?:\b\d[\d.,]*|\b(?:{NUMBER_WORDS})\b)(?=(?P<next>\s*[\w/]*))", re.IGNORECASE
)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\s*$", re.IGNORECASE)
_MONTH_WORD = re.compile(rf"(?:{_MONTHS})", re.IGNORECASE)
_YEAR_BEFORE = re.compile(r"\b(?:tahun|year|in|pada|sejak|since|of)\s*$", re.IGNORECASE)


def _counted_words(answer: str) -> list[str]:
    """The word after each number of the answer that counts something ("24 tahun" -> "tahun",
    a bare "8" -> ""); the numbers of a date ("18 Juni", "(3/8)", "2000") count nothing."""
    counted = []
    for m in _NUMBER_THEN_WORD.finditer(answer):
        word = m.group("next").strip()
        before = answer[: m.start()]
        year = YEAR.fullmatch(m.group(0)) and (not word or _YEAR_BEFORE.search(before))
        if year or before.endswith("/") or _MONTH_BEFORE.search(before):
            continue
        if word.startswith("/") or _MONTH_WORD.fullmatch(word):
            continue
        if not _NUMBER.fullmatch(word or "-"):
            counted.append(word)
    return counted


# "How many North Korean soldiers have been sent …?": the words after "how many" up to the verb
# or a preposition; the last is the noun counted.
_HOW_MANY_PHRASE = re.compile(
    r"\bhow\s+many\s+(?P<phrase>[\w/'-]+(?:\s+(?!(?:have|has|had|were|was|are|is|did|do|does"
    r"|will|would|can|could|in|of|at|on|from|for|to|per|that|who|which)\b)[\w/'-]+){0,3})",
    re.IGNORECASE,
)


def _english_count_missing(question: str, answer: str) -> str | None:
    """The noun an English "how many" question counts, when the answer counts other things and
    never names it ("How many soldiers …?" -> "… two countries … 24 years ago")."""
    asked = _HOW_MANY_PHRASE.search(question)
    if not asked:
        return None
    noun = asked.group("phrase").split()[-1].casefold()
    if _unit(noun) or noun in _SPAN_WORDS or len(noun) < 4:
        return None
    stem = noun[:5]
    counted = _counted_words(answer)
    if not counted or "" in counted:  # a bare number may count anything
        return None
    named = re.search(rf"\b{re.escape(stem)}", answer, re.IGNORECASE)
    return None if named else noun


# "Berapa banyak rudal yang dijual …?": the words after "berapa banyak/jumlah" up to a verb or
# a preposition name what is counted.
_COUNT_PHRASE_ID = re.compile(
    r"\bberapa(?:kah)?\s+(?:banyak|jumlah)\s+(?P<phrase>\w+(?:\s+(?!(?:yang|di|ke|dari|pada"
    r"|dalam|untuk|oleh|telah|sudah|akan|dengan|saat|sejak|selama|per|tahun|adalah|ada)\b)\w+)"
    r"{0,2})",
    re.IGNORECASE,
)
# Words a count of anything may be given in: those, more classifiers and units, currencies, and
# the words people are counted in ("480.000 warga" for "Berapa jumlah penduduk …?", f0794).
_COUNTERS = MEASURES | frozenset([
    "orang", "buah", "ekor", "biji", "butir", "batang", "lembar", "helai", "pasang", "set",
    "kepala", "keluarga", "kk", "paket", "potong", "wattjam", "kwh", "mw", "kilowatt", "kubik",
    "mil", "knot", "kaki", "inci", "rupiah", "dolar", "dollar", "euro", "yen", "yuan", "ringgit",
    "baht", "rp", "us", "warga", "penduduk",
])  # fmt: skip


def counted_nouns(question: str) -> list[str]:
    """The words of what an Indonesian "berapa banyak/jumlah" question counts ("pesawat tempur"),
    or none when it counts in a classifier, a unit or money ("orang", "tahun", "uang"): those
    count anything."""
    asked = _COUNT_PHRASE_ID.search(question)
    if not asked or _MONEY_ASKED.search(question):
        return []
    nouns = [w.casefold() for w in asked.group("phrase").split()]
    if all(len(n) < 4 for n in nouns) or any(
        _unit(n) or n in _SPAN_WORDS or n in _COUNTERS for n in nouns
    ):
        return []
    return nouns


def _indonesian_count_missing(question: str, answer: str) -> str | None:
    """The noun a "berapa banyak/jumlah" question counts, when each number of the answer counts
    another thing ("Berapa banyak rudal …?" -> "Rudal … adalah lima juta peluru": held-out h39).
    Unlike the English check it fires when the answer names the noun too: the model starts by
    saying the question back. Classifiers and units count anything ("592 orang"); only words
    Sastrawi's dictionary knows are judged."""
    nouns = counted_nouns(question)
    if not nouns:
        return None
    counted = [w.casefold() for w in _counted_words(answer)]
    if not counted or "" in counted:  # a bare number may count anything
        return None
    if not all(lexical.is_indonesian_word(w) for w in counted):
        return None  # an English answer (the question read in English), a name, a code
    for word in counted:
        if _unit(word) or word in _COUNTERS:
            return None
        if any(word[:5] == n[:5] or lexical.stem(word) == lexical.stem(n) for n in nouns):
            return None
    return next(n for n in nouns if len(n) >= 4)


def _numbers(text: str) -> set[str]:
    return {m.group(0).casefold() for m in _WHOLE_NUMBER.finditer(text)}


# A number put "besides" the answer counts something else: "… lebih banyak peluru, selain lima
# juta peluru yang telah dikirim" gives no count of the shells still to come (seed s072).
# Only a number right after the word ("Selain itu, dua anggota …" still counts).
_BESIDES_NUMBER = re.compile(
    rf"\b(?:selain|besides|apart from|other than|in addition to)\s+(?:the\s+)?"
    rf"(?:sekitar\s+|about\s+)?(?:{_WHOLE_NUMBER.pattern})(?P<clause>[^,.;]*)",
    re.IGNORECASE,
)


def _counted_phrase(question: str) -> set[str]:
    """The stemmed words of what a count question counts ("peluru artileri tambahan")."""
    asked = _COUNT_PHRASE_ID.search(question) or _HOW_MANY_PHRASE.search(question)
    if asked:
        return set(lexical.tokenize(asked.group("phrase")))
    unit = _ASKED_UNIT.search(question)
    return set(lexical.tokenize(unit.group(0))) if unit else set()


def _without_other_counts(question: str, answer: str) -> str:
    """The answer without the numbers it puts "besides" another, unless such a number's clause
    tells what the question asks: "… selain lima juta peluru yang diperkirakan para ahli telah
    dikirimkan" answers "Berapa banyak peluru … telah dikirimkan …?" (seed k01), by a
    lower-case word of the question's beyond what it counts ("ahli", "dikirimkan")."""
    asked = set(lexical.tokenize(question)) - _counted_phrase(question)

    def other(m: re.Match[str]) -> str:
        told = {
            t
            for w in re.findall(r"\w+", m.group("clause"))
            if w.islower() and not _NUMBER.fullmatch(w)
            for t in lexical.tokenize(w)
        }
        return m.group(0) if told & asked else ""

    return _BESIDES_NUMBER.sub(other, answer)


def shape_mismatch(question: str, answer: str) -> str | None:
    """Why ``answer`` cannot answer ``question`` (a short reason), or None when it might."""
    if _WEEKDAY_ASKED.search(question) and not _WEEKDAY.search(answer):
        return "a weekday was asked for"
    if _DATE_ASKED.search(question) and not _DATE.search(answer):
        return "a date was asked for"
    if _MONEY_ASKED.search(question) and not _MONEY.search(answer):
        return "an amount of money was asked for"
    if _FUTURE_WHEN.search(question) and _PAST_TIME.search(answer):
        return "a time to come was asked for"
    if _COUNT.search(question) and not (_MONTH_ASKED.search(question) and _DATE.search(answer)):
        answer = _without_other_counts(question, answer)
        asked = _ASKED_UNIT.search(question)
        word = (
            (asked.group("id") or asked.group("en")).casefold().removesuffix("kah") if asked else ""
        )
        if word in _NOT_COUNTED:  # "nomor berapakah yang ...": the word after says nothing
            word = ""
        counted = word and re.search(
            rf"(?:{_WHOLE_NUMBER.pattern})\s+{re.escape(word)}", answer, re.I
        )
        if not counted and not _numbers(answer) - _numbers(question):
            return "a number was asked for"  # none, or only the question's ("... pada 2005")
        unit = _unit(word) if word else None
        given = _units_in(answer)
        if unit and given and unit not in given:
            return f"a count of {unit}s was asked for"
        dated = _DATE.search(answer) or any(YEAR.fullmatch(n) for n in _numbers(answer))
        if word in _DURATION_WORDS and not given and not dated:
            return "a span of time was asked for"  # "Berapa lama …?" -> "500 sekolah"
        if word and not unit and word not in _SPAN_WORDS and not _WHICH_NUMBER.search(question):
            counted_words = _counted_words(answer)
            if not counted_words:  # "How many soldiers …?" -> "… on Tuesday (June 18)"
                return f"a count of {word} was asked for, not a date"
            if all(_unit(w) for w in counted_words):
                return f"a count of {word} was asked for, not a span of time"
        noun = _english_count_missing(question, answer) or _indonesian_count_missing(
            question, answer
        )
        if noun:
            return f"a count of {noun} was asked for"
    return None


# Words that place something in time without a number ("setelah perang", "two weeks ago").
_TIME_WORDS = frozenset([
    "detik", "menit", "jam", "hari", "minggu", "pekan", "bulan", "tahun", "abad", "dekade",
    "pagi", "siang", "sore", "malam", "kemarin", "lalu", "besok", "nanti", "sejak", "sebelum",
    "sebelumnya", "sesudah", "setelah", "usai", "seusai", "saat", "ketika", "masa", "era",
    "awal", "akhir", "pertengahan", "menjelang", "selama", "hingga", "sampai", "tadi",
    "second", "minute", "hour", "day", "week", "month", "year", "century", "decade", "morning",
    "noon", "afternoon", "evening", "night", "yesterday", "tomorrow", "ago", "since", "before",
    "after", "during", "when", "until", "early", "late", "end", "beginning", "midnight",
    "today", "tonight",
])  # fmt: skip
_PLACES_IN_TIME = _TIME_WORDS | {month for names in MONTH_NAMES for month in names}


def gives_no_time(question: str, answer: str) -> bool:
    """Whether a *when* question's answer places nothing in time the question did not already
    ("Kapankah Belanda mengakui proklamasi 17 Agustus 1945?" -> "Belanda mengakui proklamasi
    17 Agustus 1945."): no number, month, weekday or time word of its own."""
    if not ASKS_WHEN.search(question):
        return False
    if _numbers(answer) - _numbers(question):
        return False
    asked = set(re.findall(r"\w+", question.casefold()))
    said = set(re.findall(r"\w+", answer.casefold())) - asked
    return not said & _PLACES_IN_TIME and not _WEEKDAY.search(" ".join(said))


# ---------------------------------------------------------------- the checks


@check("refuse.shape", "refuse")
def wrong_shape(ctx: AnswerContext, text: str) -> str | None:
    """Refuse an answer of another shape than asked (a date for "how many"): a nearby fact. The
    shape asked for is the user's question's, as a translation may change it."""
    return shape_mismatch(ctx.user_question, strip_citations(text))
