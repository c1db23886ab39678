"""The word lists and question patterns the answer checks, the translation and the article
metadata share, defined once here so a change reaches every reader (and no module imports a
bigger one just for a list). Only data and compiled patterns: this module imports nothing of qa.
"""

from __future__ import annotations

import re

# Capitalised Indonesian words that English spells differently. A translation must carry each
# name and number of its sentence (verbatim, nearly, or as listed here); otherwise the model is
# asked again with the names spelled out, and if it still drops one, the English reading keeps
# the Indonesian sentence. A 1.5B model otherwise turns "Korea Utara" into South Korea, "Selasa"
# into Saturday or drops "Kongju" from a university's name.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "utara": ("north",),
    "selatan": ("south",),
    "timur": ("east",),
    "barat": ("west",),
    "tengah": ("central", "middle"),
    "jauh": ("far",),
    "senin": ("monday",),
    "selasa": ("tuesday",),
    "rabu": ("wednesday",),
    "kamis": ("thursday",),
    "jumat": ("friday",),
    "sabtu": ("saturday",),
    "minggu": ("sunday", "week"),
    "januari": ("january",),
    "februari": ("february",),
    "maret": ("march",),
    "mei": ("may",),
    "juni": ("june",),
    "juli": ("july",),
    "agustus": ("august",),
    "oktober": ("october",),
    "desember": ("december",),
    "as": ("us", "u.s", "united states", "america"),
    "amerika": ("america", "us", "u.s"),
    "serikat": ("united", "states", "us", "u.s"),
    "pbb": ("un", "united nations"),
    "ktt": ("summit",),
    "tiongkok": ("china", "chinese"),
    "cina": ("china", "chinese"),
    "jepang": ("japan",),
    "jerman": ("german",),
    "prancis": ("france", "french"),
    "perancis": ("france", "french"),
    "inggris": ("britain", "british", "english", "uk", "england"),
    "belanda": ("netherlands", "dutch"),
    "mesir": ("egypt",),
    "moskow": ("moscow",),
    "haag": ("hague",),
    "den": ("the", "den"),
    "presiden": ("president",),
    "menteri": ("minister",),
    "perdana": ("prime",),
    "universitas": ("university",),
    "nasional": ("national",),
    "internasional": ("international",),
    "pengadilan": ("court",),
    "kriminal": ("criminal",),
    "mahkamah": ("court",),
    "perang": ("war",),
    "dunia": ("world",),
    "lapangan": ("square", "field"),
    "kosmodrom": ("cosmodrome", "cosmodrom"),
    "kementerian": ("ministry",),
    "partai": ("party",),
}

# Month names in calendar order: Indonesian, then English.
MONTH_NAMES: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("januari", "februari", "maret", "april", "mei", "juni",
     "juli", "agustus", "september", "oktober", "november", "desember"),
    ("january", "february", "march", "april", "may", "june",
     "july", "august", "september", "october", "november", "december"),
)  # fmt: skip
MONTH_ABBREVIATIONS = (
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
)  # fmt: skip
YEAR = re.compile(r"(?:1[89]|20)\d\d")  # a year of modern news

# Units of measure and the classifiers news counts people and things in: a number followed by
# one says what it counts ("592 orang", "80.854 meter kubik").
MEASURES = frozenset([
    "persen", "meter", "kilometer", "km", "sentimeter", "cm", "milimeter", "mm", "kilogram",
    "kg", "gram", "ton", "hektar", "hektare", "ha", "liter", "derajat", "barel", "megawatt",
    "watt", "jiwa", "unit", "kali",
])  # fmt: skip

# Small numbers spelled out, indexed by value (Indonesian news spells them; the English reading
# keeps the article's spelled-out numbers: "lima juta" -> "five million").
SMALL_NUMBER_WORDS = {
    "id": ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan",
           "sembilan", "sepuluh", "sebelas"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven"),
}  # fmt: skip
# Every word a number is written with, both languages, as a regex alternation.
NUMBER_WORDS = (
    # Indonesian
    "nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|belas|puluh|ratus|"
    "ribu|juta|miliar|milyar|triliun|seratus|seribu|sejuta|semiliar|setengah|separuh|"
    # English
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|twenty|thirty|"
    "forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillion|half"
)

# Capitalised words that stand before names without being part of them.
TITLES = frozenset([
    "presiden", "wakil", "menteri", "menlu", "ketua", "kepala", "direktur", "dirut", "gubernur",
    "bupati", "walikota", "wali", "camat", "lurah", "jenderal", "kolonel", "mayor", "kapten",
    "letjen", "mayjen", "brigjen", "kapolri", "kapolda", "kapolres", "kapolsek", "panglima",
    "kanselir", "perdana", "raja", "ratu", "sultan", "pangeran", "paus", "uskup", "imam", "syekh",
    "hakim", "jaksa", "profesor", "prof", "dr", "ir", "drs", "h", "hj", "pak", "bu", "bapak", "ibu",
    "tuan", "nyonya", "sang", "saudara", "pelatih",
    "president", "vice", "minister", "prime", "chancellor", "king", "queen", "prince",
    "princess", "general", "governor", "chairman", "director", "professor", "judge", "sir", "mr",
    "mrs", "ms", "saint", "st", "pope", "coach",
])  # fmt: skip

# Who and when questions. Two strengths each, kept apart on purpose (merging them changes
# answers): a question *mentioning* a person-word anywhere ("siapapun", "whose") is enough to
# write a surname out in full, while a retry or a hint needs the question word itself.
MENTIONS_WHO = re.compile(r"\b(?:siapa|who|whom|whose)", re.IGNORECASE)
ASKS_WHO = re.compile(r"\b(?:siapa(?:kah)?|who|whom)\b", re.IGNORECASE)
ASKS_WHEN = re.compile(r"\b(?:kapan(?:kah)?|when)\b", re.IGNORECASE)
# "When", or a year asked for: the prompt's hint to give a date.
ASKS_WHEN_OR_YEAR = re.compile(r"\b(kapan|kapankah|when|what year|tahun berapa)\b", re.IGNORECASE)
