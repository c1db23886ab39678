"""Which language a question is in (Indonesian or English), from its function words."""

from __future__ import annotations

import re

# A question's first word, when it is one of these, settles its language: "Siapa pengarang buku
# The Clash of Civilizations?" is Indonesian however many English words its title has.
_ID_OPENERS = frozenset(
    [
        "apa",
        "apakah",
        "siapa",
        "siapakah",
        "kapan",
        "kapankah",
        "dimana",
        "dimanakah",
        "kemana",
        "kemanakah",
        "darimana",
        "mengapa",
        "kenapa",
        "bagaimana",
        "berapa",
        "berapakah",
        "bagaimanakah",
        "sebutkan",
    ]
)
_EN_OPENERS = frozenset(
    [
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "which",
    ]
)
# Otherwise the language whose common words it uses more.
_ID = _ID_OPENERS | frozenset(
    [
        "mana",
        "yang",
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "dengan",
        "ini",
        "itu",
        "adalah",
        "tidak",
        "dalam",
        "pada",
        "oleh",
        "akan",
        "sebut",
        "menurut",
        "artikel",
        "dia",
        "ia",
        "mereka",
        "kota",
        "negara",
        "tahun",
        "bisa",
        "juga",
        "sudah",
        "telah",
    ]
)
_EN = _EN_OPENERS | frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "does",
        "do",
        "did",
        "according",
        "article",
        "say",
        "said",
        "he",
        "she",
        "they",
        "it",
        "this",
        "that",
        "city",
        "country",
        "year",
        "can",
    ]
)
_WORD = re.compile(r"[a-zA-Z]+")


def question_language(text: str) -> str:
    """'id' or 'en'; ties go to Indonesian, the language of the articles."""
    words = [w.lower() for w in _WORD.findall(text)]
    if words and words[0] in _ID_OPENERS:
        return "id"
    if words and words[0] in _EN_OPENERS:
        return "en"
    id_score = sum(w in _ID for w in words)
    en_score = sum(w in _EN for w in words)
    return "en" if en_score > id_score else "id"
