"""Summaries of a whole article: "Ringkas artikel ini" / "Summarise this article".

Retrieval finds the passages nearest a question, but a summary request is near nothing in
particular: its best passages are a random few. So a summary reads the whole article instead, cut
down to the sentences that carry it: the article is split into as many consecutive stretches as
the summary has sentences, and from each stretch the sentence whose words the article repeats
most is taken (the lead is in the first stretch, the ending in the last). Each chosen sentence is
its own numbered passage with its article offsets, so the summary's citations point at exactly
the sentences it summarised.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from qa.chunking import Chunk, sentence_spans
from qa.lexical import tokenize
from qa.prompting import Passage, chat_markup, format_passages, tile_chunks

_ASKS_SUMMARY = re.compile(
    r"\b(?:ringkas(?:kan|lah|an)?|rangkum(?:kan|lah|an)?|ikhtisar|intisari|inti\s+(?:sari|"
    r"artikel|berita)|pokok[- ](?:pokok\s+)?(?:isi|berita|artikel)|isi\s+(?:artikel|berita)|"
    r"summari[sz]e|summary|sum\s+up|gist|tl;?dr|what\s+is\s+(?:this|the)\s+(?:article|story)\s+"
    r"about)\b",
    re.IGNORECASE,
)
SUMMARY_SENTENCES = 6  # chosen sentences (stretches); the summary may use fewer
SUMMARY_TOKENS = 320  # room for a few sentences with citations
_MIN_SENTENCE_CHARS = 40  # headings, bylines and datelines are not what an article says

_RULES = {
    "id": (
        "Ringkas artikel dari kalimat-kalimat bernomor di bawah ini dalam paling banyak {n} "
        "kalimat pendek berbahasa Indonesia. Gunakan hanya fakta dari kalimat-kalimat itu. "
        "Setelah setiap kalimat ringkasan, sebutkan nomor kalimat sumbernya, misalnya [2]."
    ),
    "en": (
        "Summarise the article from the numbered sentences below in at most {n} short English "
        "sentences. Use only facts from those sentences. After each sentence of the summary, "
        "cite the numbers of the sentences it comes from, like [2]."
    ),
}


def asks_for_summary(question: str) -> bool:
    """Whether the question asks for a summary of the article(s) rather than a fact."""
    return bool(_ASKS_SUMMARY.search(question))


@dataclass(frozen=True)
class SummaryPlan:
    passages: tuple[Passage, ...]  # the chosen sentences, numbered from 1, in article order
    prompt: str


def summary_sentences(chunks: Sequence[Chunk], count: int = SUMMARY_SENTENCES) -> list[Passage]:
    """The sentences a summary of these chunks' articles is written from (see the module)."""
    sentences: list[Passage] = []
    for passage in tile_chunks(chunks):
        for span in sentence_spans(passage.text):
            text = passage.text[span.start : span.end]
            if span.heading or len(text) < _MIN_SENTENCE_CHARS:
                continue
            start = passage.start + span.start
            sentences.append(Passage(0, passage.doc, passage.title, start, start + len(text), text))
    if not sentences:
        return []
    words = [set(tokenize(s.text)) for s in sentences]
    counts = Counter(w for ws in words for w in ws)
    scores = [
        sum(counts[w] - 1 for w in ws) / math.sqrt(len(ws) + 1) for ws in words
    ]  # words other sentences share, not length
    count = min(count, len(sentences))
    chosen = []
    for part in range(count):
        lo = part * len(sentences) // count
        hi = (part + 1) * len(sentences) // count
        chosen.append(max(range(lo, hi), key=lambda i: (scores[i], -i)))
    return [
        Passage(n, s.doc, s.title, s.start, s.end, s.text, 1.0)
        for n, s in enumerate((sentences[i] for i in chosen), 1)
    ]


def plan_summary(question: str, language: str, chunks: Sequence[Chunk]) -> SummaryPlan | None:
    """The passages and prompt for a summary request, or None when the question is not one."""
    if not asks_for_summary(question):
        return None
    passages = summary_sentences(chunks)
    if not passages:
        return None
    rules = _RULES[language if language in _RULES else "en"].format(n=min(4, len(passages)))
    prompt = (
        chat_markup("system", f"{rules}\n\n{format_passages(passages)}")
        + chat_markup("user", question)
        + "<|im_start|>assistant\n"
    )
    return SummaryPlan(tuple(passages), prompt)
