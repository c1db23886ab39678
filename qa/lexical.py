"""Lexical (BM25) retrieval with Indonesian-aware tokens: case-folded, stop words dropped, stemmed.

Dense retrieval with the English-only MiniLM is weak on Indonesian (DESIGN.md: recall@5 0.57 versus
BM25's 0.87), so this index carries most of the retrieval. Persisted by bm25s as ``.npy`` arrays and
JSON, loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)

STOPWORDS_ID = frozenset(
    [
        "ada",
        "adalah",
        "adanya",
        "agar",
        "akan",
        "akankah",
        "akhirnya",
        "aku",
        "akulah",
        "amat",
        "anda",
        "andalah",
        "antara",
        "apa",
        "apaan",
        "apakah",
        "apalagi",
        "atas",
        "atau",
        "ataupun",
        "bagai",
        "bagaimana",
        "bagaimanakah",
        "bagi",
        "bahkan",
        "bahwa",
        "bahwasanya",
        "baik",
        "banyak",
        "beberapa",
        "begini",
        "begitu",
        "belum",
        "berapa",
        "berapakah",
        "bersama",
        "betapa",
        "biasa",
        "bila",
        "bilamana",
        "bisa",
        "boleh",
        "bukan",
        "bukankah",
        "dalam",
        "dan",
        "dapat",
        "dari",
        "daripada",
        "dengan",
        "di",
        "dia",
        "dialah",
        "diri",
        "dirinya",
        "ia",
        "ialah",
        "ini",
        "inilah",
        "itu",
        "itulah",
        "jadi",
        "jika",
        "jikalau",
        "juga",
        "kah",
        "kalau",
        "kami",
        "kamu",
        "kapan",
        "kapankah",
        "karena",
        "ke",
        "kebanyakan",
        "kecuali",
        "kemudian",
        "kenapa",
        "kepada",
        "ketika",
        "kita",
        "lagi",
        "lah",
        "lain",
        "lainnya",
        "maka",
        "makin",
        "mana",
        "manakah",
        "masih",
        "melainkan",
        "mengapa",
        "menurut",
        "mereka",
        "merekalah",
        "meski",
        "meskipun",
        "mungkin",
        "namun",
        "nanti",
        "nya",
        "oleh",
        "pada",
        "padahal",
        "para",
        "pun",
        "saat",
        "saja",
        "sama",
        "sambil",
        "sampai",
        "sangat",
        "sebab",
        "sebagai",
        "sebelum",
        "sedang",
        "sedangkan",
        "segala",
        "sehingga",
        "sejak",
        "selagi",
        "selain",
        "seluruh",
        "semua",
        "sementara",
        "seorang",
        "sepanjang",
        "seperti",
        "sesudah",
        "setelah",
        "setiap",
        "siapa",
        "siapakah",
        "supaya",
        "tak",
        "tanpa",
        "tapi",
        "telah",
        "tentang",
        "tentu",
        "tersebut",
        "tetapi",
        "tiap",
        "untuk",
        "waktu",
        "yaitu",
        "yakni",
        "yang",
        "sang",
        "si",
        "pula",
        "pernah",
        "hanya",
        "lebih",
        "oleh-oleh",
    ]
)
STOPWORDS_EN = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "according",
        "article",
        "say",
        "says",
        "said",
        "tell",
    ]
)
STOPWORDS = STOPWORDS_ID | STOPWORDS_EN


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def _root_words() -> frozenset[str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(w.strip() for w in StemmerFactory().get_words_from_file() if w.strip())


def is_indonesian_word(word: str) -> bool:
    """Whether a word is Indonesian by Sastrawi's dictionary of root words (its stem is one):
    "keterampilan" is, "respekt" and "nuclear" are not."""
    folded = word.casefold()
    roots = _root_words()
    return folded in STOPWORDS_ID or folded in roots or stem(folded) in roots


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Indonesian affix removal (Sastrawi); numbers and short tokens are kept as they are."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return _stemmer().stem(word) or word


def tokenize(text: str, *, short_forms: bool = False) -> list[str]:
    """Case-folded, stop-word-free, stemmed tokens; hyphenated words also yield their parts.

    With ``short_forms`` (retrieval), a word written in capitals is kept though its lower case is
    a stop word: "AS" is Amerika Serikat, not English "as" ("Siapa Presiden AS?" searched for
    "presiden" alone, and found Egypt's).
    """
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        written = match.group(0)
        word = written.casefold().replace("’", "'")
        parts = [word] if "-" not in word else [word, *word.split("-")]
        for part in parts:
            if part and (part not in STOPWORDS or (short_forms and _short_form(written, part))):
                tokens.append(stem(part))
    return tokens


def chunk_tokens(text: str) -> list[str]:
    """The tokens BM25 indexes for one chunk (never empty: bm25s needs a token per document)."""
    return tokenize(text, short_forms=True) or ["_empty_"]


def _short_form(written: str, word: str) -> bool:
    return len(written) >= 2 and written.isupper() and written.casefold() == word


def top_k(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best (row, score) pairs, best first, ties by ascending row (as a stable argsort
    of every chunk's score orders them); a partition first, so only the survivors are sorted."""
    if k <= 0 or not len(rows):
        return rows[:0], scores[:0]
    if k < len(rows):
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth  # ties with the k-th score all stay for the row order to decide
        rows, scores = rows[keep], scores[keep]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order], scores[order]


# BM25's parameters (bm25s's defaults; Lucene's idf).
BM25_K1, BM25_B = 1.2, 0.75

# Saved with each lexical index: one written by another tokenizer is rebuilt when loaded.
TOKENIZER_VERSION = 2


class LexicalIndex:
    """BM25 over chunk texts; scores align with chunk order."""

    def __init__(self, bm25: Any, size: int, tokenizer: int = TOKENIZER_VERSION) -> None:
        self._bm25 = bm25
        self.size = size
        self.tokenizer = tokenizer

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        return cls.from_tokens([chunk_tokens(t) for t in texts])

    @classmethod
    def from_tokens(cls, rows: list[list[str]]) -> LexicalIndex:
        """From each chunk's ``chunk_tokens``: an update reuses the saved ones of kept chunks."""
        import bm25s

        bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        bm25.index(rows, show_progress=False)
        return cls(bm25, len(rows))

    @classmethod
    def from_token_ids(
        cls, ids: np.ndarray, offsets: np.ndarray, vocab: Sequence[str]
    ) -> LexicalIndex:
        """From a saved token table's arrays (row ``i`` is ``ids[offsets[i]:offsets[i + 1]]``
        into ``vocab``): no strings are rebuilt and no per-chunk lists made, the matrix comes
        from numpy (``qa.bm25_matrix``), the same as bm25s's own build. An index always has
        chunks: ``qa index`` refuses a folder without a readable article."""
        import bm25s

        from qa.bm25_matrix import bm25_matrix

        bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        words = {word: i for i, word in enumerate(vocab)}
        bm25.scores = bm25_matrix(ids, offsets, len(words), BM25_K1, BM25_B)
        bm25.nonoccurrence_array = None
        if "" not in words:  # as bm25s's ``index`` does for a vocabulary it is given
            words[""] = max(words.values(), default=-1) + 1
        bm25.vocab_dict = words
        bm25.unique_token_ids_set = set(words.values())
        return cls(bm25, len(offsets) - 1)

    def _terms(self, query: str) -> list[str]:
        return [t for t in tokenize(query, short_forms=True) if t in self._bm25.vocab_dict]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no query term is known)."""
        terms = self._terms(query)
        if not terms or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def matches(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows (ascending) of the chunks holding a query term, and their BM25 scores (every
        other chunk scores 0), as bm25s computes them: bit for bit ``scores``.

        bm25s adds the query terms' postings into an array of every chunk; clearing and then
        scanning that array costs 0.2 ms at 100,000 chunks, less than sorting the postings
        (1.5 ms p50) and far less than bm25s's ``retrieve`` (14 ms: per-call set-up), so top-k
        starts from it (bench/search_speed.py).
        """
        scores = self.scores(query)
        rows = np.flatnonzero(scores)
        return rows, scores[rows]

    def top(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows and their BM25 scores, best first, ties by row: the first ``k`` of
        a stable argsort of ``scores(query)``, without scoring every chunk. Only chunks holding a
        query term are returned (the rest score 0), so there may be fewer than ``k``."""
        rows, scores = self.matches(query)
        return top_k(rows, scores, k)

    def share(self, word: str) -> float:
        """Share of the chunks that hold ``word`` (stemmed); 0 for a word the index lacks."""
        terms = tokenize(word)
        row = self._bm25.vocab_dict.get(terms[0]) if terms and self.size else None
        if row is None:
            return 0.0
        bounds = self._bm25.scores["indptr"]
        return float(bounds[row + 1] - bounds[row]) / self.size

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory))
        meta = {"size": self.size, "tokenizer": self.tokenizer}
        (directory / "lexical.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        meta = json.loads((directory / "lexical.json").read_text())
        bm25 = bm25s.BM25.load(str(directory), mmap=False, load_corpus=False)
        return cls(bm25, meta["size"], meta.get("tokenizer", 1))
