"""The first-words ban of a second try: which tokens are ruled out, and only at the start."""

from __future__ import annotations

import numpy as np

from qa.generation import _distinctive_start, _first_words_ban


class FakeVocabulary:
    """Token ids are indexes into a fixed list of pieces (what llama.cpp's detokenize needs)."""

    pieces = ("T", "idak", "Art", "ikel", "No", "iongkok")

    def detokenize(self, ids: list[int]) -> bytes:
        return "".join(self.pieces[i] for i in ids).encode()


def test_a_word_is_banned_by_its_start_of_at_least_three_characters() -> None:
    vocabulary = FakeVocabulary()
    assert _distinctive_start(vocabulary, [2, 3]) == [2]  # "Art" rules out "Artikel"
    assert _distinctive_start(vocabulary, [0, 1]) == [0, 1]  # "T" alone would rule out "Tiongkok"
    assert _distinctive_start(vocabulary, [4]) == [4]


def test_the_ban_applies_only_where_the_answer_starts() -> None:
    (ban,) = _first_words_ban(3, [[2], [0, 1]])
    prompt = [9, 9, 9]
    first = ban(np.array(prompt), np.zeros(6))
    assert first[2] == -np.inf and first[0] == 0 and first[1] == 0  # "T" may start "Tiongkok"
    after_t = ban(np.array([*prompt, 0]), np.zeros(6))
    assert after_t[1] == -np.inf and after_t[5] == 0  # but not "Tidak"
    later = ban(np.array([*prompt, 5, 2]), np.zeros(6))
    assert not np.isinf(later).any()  # later in the answer every word is allowed
