"""The one API the CLI and the UI use: ``Engine.ask(question, history)`` streams a cited answer.

The engine owns the loaded index, embedder and generator (all lazy, loaded once) and decides what
goes into the prompt: the whole corpus when it fits the context (a fixed prefix, so llama.cpp's KV
cache makes every later question cheap), otherwise the best passages from hybrid retrieval.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from qa.answer_opening import answer_opening, naming_opening
from qa.answer_shape import gives_no_time, shape_mismatch
from qa.article_meta import ArticleMeta, meta_of
from qa.attribution import (
    Evidence,
    abbreviations_as_written,
    answered_where_asked,
    asks_about_unmentioned,
    asks_for_kind_never_mentioned,
    asks_for_unmentioned_title,
    counted_as_written,
    counts_as_written,
    dates_as_written,
    find_evidence,
    full_names_as_written,
    initials_as_written,
    names_and_numbers,
    number_words_as_written,
    qualifiers_as_written,
    rejoin_numbers,
    spellings_as_written,
    titles_as_written,
    unsupported_names,
    without_unsupported_asides,
)
from qa.chunking import ChunkingParams, sentence_spans
from qa.config import Settings
from qa.corpus import load_articles
from qa.embedding import Embedder, make_embedder
from qa.errors import IndexMismatchError, InputError
from qa.faithful import (
    ArticleFacts,
    article_fact,
    fact_sentence,
    first_line_with,
    missing_asked_event,
    party_in_role,
    party_sentence,
    polarity_conflict,
)
from qa.generation import Generator, LlamaGenerator
from qa.language import question_language
from qa.models import resolve_model
from qa.prompting import (
    REFUSAL,
    Passage,
    Turn,
    build_prompt,
    cited_claims,
    fit_passages,
    is_refusal,
    merge_spans,
    prompt_prefix,
    rules_prefix,
    strip_citations,
    tile_chunks,
)
from qa.restatement import asks_for_something, names_no_one, says_question_back
from qa.retrieval import Hit, Retriever
from qa.scope import Scope, ScopeRows, rows_by_doc, scope_readings
from qa.store import Index, UpdateReport, current_version_dir_or_none
from qa.stores import open_store, store_kind
from qa.summary import SUMMARY_TOKENS, plan_summary
from qa.translation import (
    Reading,
    TranslationCache,
    answer_in_indonesian,
    needs_translation,
    question_in_english,
    question_in_indonesian,
    read_in_english,
)
from qa.untrusted import has_control

# How a second try after a refusal would refuse again in other words ("Tidak ada emiten baru").
REFUSAL_IN_OTHER_WORDS = ("Tidak", "No")
# Share of the answer's new words a sentence must hold to count as its evidence.
MIN_SUPPORT = 0.3
# Room kept free in the context for the conversation, the question and the answer.
_RESERVED_TOKENS = 1200


@dataclass(frozen=True)
class Source:
    """A passage given to the model; ``text == article[start:end]`` of ``doc``.

    ``quote_start:quote_end`` (article offsets) is the sentence that supports the answer, when
    one was found.
    """

    n: int
    doc: str
    title: str
    text: str
    start: int
    end: int
    score: float
    cited: bool = False
    quote_start: int | None = None
    quote_end: int | None = None

    @property
    def quote(self) -> str:
        if self.quote_start is None or self.quote_end is None:
            return ""
        return self.text[self.quote_start - self.start : self.quote_end - self.start]

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "n": self.n,
            "doc": self.doc,
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "cited": self.cited,
        }
        if self.quote:
            data["quote"] = {"text": self.quote, "start": self.quote_start, "end": self.quote_end}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        """The inverse of ``as_json`` (what the conversation store reads back)."""
        quote = data.get("quote") or {}
        return cls(
            int(data["n"]),
            str(data["doc"]),
            str(data["title"]),
            str(data["text"]),
            int(data["start"]),
            int(data["end"]),
            float(data["score"]),
            bool(data.get("cited", False)),
            int(quote["start"]) if "start" in quote else None,
            int(quote["end"]) if "end" in quote else None,
        )


@dataclass(frozen=True)
class Timings:
    retrieve_ms: float
    ttft_ms: float
    total_ms: float
    tokens: int = 0

    @property
    def tokens_per_s(self) -> float:
        gen_ms = self.total_ms - self.ttft_ms
        return (self.tokens - 1) / (gen_ms / 1000) if self.tokens > 1 and gen_ms > 0 else 0.0

    def as_json(self) -> dict[str, float]:
        return {
            "retrieve_ms": round(self.retrieve_ms, 1),
            "ttft_ms": round(self.ttft_ms, 1),
            "total_ms": round(self.total_ms, 1),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    sources: tuple[Source, ...]
    timings: Timings
    model: str
    language: str
    refused: bool
    cancelled: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.answer,
            "sources": [s.as_json() for s in self.sources],
            "timings": self.timings.as_json(),
            "model": self.model,
            "language": self.language,
            "refused": self.refused,
        }


@dataclass(frozen=True)
class IndexInfo:
    path: str
    version: str
    articles: int
    chunks: int
    embedder: str


def _may_become_refusal(text: str) -> bool:
    """Whether streamed text so far is the start of a refusal (so it is held back)."""
    start = text.strip()
    return is_refusal(start) or any(r.startswith(start) for r in REFUSAL.values())


class AnswerStream:
    """Iterate for answer text as it is generated; ``answer`` is complete once iteration ends.

    ``passages`` are known before the first token, so a UI can show them while the model writes.
    ``close()`` stops generation early (the answer is then marked cancelled).

    The small model refuses questions its passages answer in other words ("Tahun ini hanya ada
    delapan emiten baru" for "... pada tahun 2005"), while every refusal it should give is also
    given by the grounding checks. So a refusal is held back while it is being written and, when
    ``retry`` is given, the model is asked again without the refusal (or "Tidak"/"No") as its
    first word; the answer it then writes is grounded like any other. An answer that only says
    the question back ("Proses peralihan trafik ... dilaksanakan mulai 16 Januari 2006."), or
    gives no time for "when", is retried the same way, without its first word (failing twice,
    the first wording stays). It is not held back (most answers start by repeating the question,
    and holding them would delay every first word), so the second try follows it on screen and
    the final answer replaces both.

    When the prompt ends with the answer's ``opening`` (``qa.answer_opening``), the model's text
    goes on from it: the opening is shown with its first token (unless that is a refusal), and a
    second try goes without it. A "Siapa (yang) ...?" answer that names no one (the quote said
    back, not who said it) is tried again from the question as a statement up to the name
    ("Yang menyebut ... adalah"), which the small model then fills.
    """

    def __init__(
        self,
        question: str,
        language: str,
        passages: list[Passage],
        fallback: list[Passage],
        tokens: Iterator[str],
        model: str,
        started: float,
        retrieve_ms: float,
        readings: Sequence[Reading] = (),
        retry: Callable[[Sequence[str], str | None], Iterator[str]] | None = None,
        corpus_share: Callable[[str], float] | None = None,
        opening: str | None = None,
        whole_corpus: bool = False,
        asked_as: str | None = None,
        back: Callable[[str, str], str | None] | None = None,
        articles_language: str = "id",
        article_facts: Callable[[str, str], ArticleFacts] | None = None,
    ) -> None:
        self.question = question
        self._article_facts = article_facts  # (doc, title) -> what the article says of itself
        self._asked_as = asked_as or question  # as the user wrote it; ``question`` is as read
        self._back = back  # the answer into the user's language, when it was read in another
        self._articles_language = articles_language
        self.language = language
        self.passages = passages
        self._fallback = fallback
        self._tokens = tokens
        self._model = model
        self._started = started
        self._retrieve_ms = retrieve_ms
        self._readings = {r.passage.n: r for r in readings}
        self._retry = retry
        self._corpus_share = corpus_share  # how much of the corpus mentions a word
        self._opening = opening  # the answer's first words, in the prompt already
        self._whole_corpus = whole_corpus  # the passages are every article, not a search's best
        self._asks = asks_for_something(question)
        self._read_text: str | None = None  # what the model read, joined once when needed
        self._parts: list[str] = []
        self._first: float | None = None
        self._answer: Answer | None = None
        self._cancelled = False

    def __iter__(self) -> Iterator[str]:
        try:
            held: list[str] = []  # the start of what may be a refusal, not shown yet
            for text in self._tokens:
                held.append(text)
                holding = self._retry is not None and not self._parts
                if holding and _may_become_refusal("".join(held)):
                    continue
                yield from self._shown(held)
                held = []
            avoid = None
            if self._retry is not None and not self._cancelled:
                avoid = self._avoid("".join(self._parts), "".join(held))
            if avoid is None or self._retry is None:
                yield from self._shown(held)
            else:
                first_try = self._parts
                if first_try:
                    yield "\n\n"  # what was shown is replaced by the final answer
                avoid, opening = avoid
                self._parts, self._tokens = [], self._retry(avoid, opening)
                self._opening = opening  # the second try starts afresh, or from a new opening
                for text in self._tokens:
                    yield from self._shown([text])
                if first_try and self._answers_nothing("".join(self._parts)):
                    # Failed twice: the first, unconstrained wording stays. Not a refusal: the
                    # model found the passage it cites, so "the articles do not say" may be false.
                    self._parts = first_try
            if self._back is not None and not self._cancelled:
                yield from self._put_back(self._back)
        finally:
            self._finish()

    def _put_back(self, back: Callable[[str, str], str | None]) -> Iterator[str]:
        """The checked answer in the language it was asked in, replacing what was shown. When
        the translation loses a name or number, the checked answer stays as it was read."""
        self._finish()
        read = self.answer
        if read.refused:
            text: str | None = REFUSAL["id"]
        else:
            text = back(read.answer, self._joined_read()) if read.answer else None
        if text is None:
            self._answer = replace(read, question=self._asked_as)
            return
        yield "\n\n"
        yield text
        total = (time.perf_counter() - self._started) * 1000
        self._answer = replace(
            read,
            question=self._asked_as,
            answer=text,
            language="id",
            timings=replace(read.timings, total_ms=total),
        )

    def _answers_nothing(self, text: str) -> bool:
        """Whether the answer only says the question back, places nothing in time for a *when*
        question or names no one for a *who* question: worth a second try. Not an answer of the
        wrong shape (a date for "how many"): that is refused, as a second try then guesses (seed
        s068, s070)."""
        answered = strip_citations(text)
        if self._asks and says_question_back(self.question, text):
            return True
        if answered and gives_no_time(self.question, answered):
            return True
        return self._names_no_one(text)

    def _avoid(self, shown: str, held: str) -> tuple[list[str], str | None] | None:
        """The first words a second try must not start with and the opening it goes on from,
        or None when no second try."""
        refusals = [*REFUSAL.values(), *REFUSAL_IN_OTHER_WORDS]
        if not shown and is_refusal(held):
            return refusals, None
        if not self._answers_nothing(shown + held):
            return None
        opening = naming_opening(self.question, self.language)  # a regex: cheap, so first
        if opening and self._names_no_one(shown + held):
            return refusals, opening  # "Penggabungan ... ancaman" -> "Yang menyebut ... adalah"
        first = strip_citations(shown + held).split()[:1]
        return [*first, *refusals], None

    def _names_no_one(self, text: str) -> bool:
        answered = strip_citations(text)
        if not answered or is_refusal(answered):
            return False
        return names_no_one(self.question, answered, self._joined_read())

    def _joined_read(self) -> str:
        """What the model read, as one text (joined once, when first needed)."""
        if self._read_text is None:
            self._read_text = "\n".join(p.text for p in self._read())
        return self._read_text

    def _shown(self, texts: list[str]) -> Iterator[str]:
        for text in texts:
            if self._first is None:
                self._first = time.perf_counter()
            if not self._parts:
                text = text.lstrip()
                if not text:
                    continue  # a lone space: Qwen writes " 67P" as " ", "6", "7", "P"
                if self._opening and not is_refusal("".join(texts)):
                    # "adalah" + "Easley", "Babelpos" + '"a potential threat."', not + "."
                    gap = "" if text[:1] in ".,;:!?)]}" else " "
                    text = self._opening + gap + text
            self._parts.append(text)
            yield text

    def close(self) -> None:
        """Cancel: stop the model at the next token."""
        self._cancelled = True
        close = getattr(self._tokens, "close", None)
        if close is not None:
            close()
        self._finish()

    @property
    def written(self) -> str:
        """The model's text as it wrote it (its final try, the opening included), before the
        answer rewrites and grounding checks: what ``bench/answer_replay.py`` feeds back to
        measure a change to those without the model."""
        return "".join(self._parts)

    @property
    def answer(self) -> Answer:
        if self._answer is None:
            for _ in self:
                pass
        assert self._answer is not None
        return self._answer

    def _finish(self) -> None:
        if self._answer is not None:
            return
        end = time.perf_counter()
        first = self._first if self._first is not None else end
        read = self._read()
        text = initials_as_written(rejoin_numbers("".join(self._parts).strip(), read), read)
        text = dates_as_written(text, [*read, *self._readings_originals()], self.question)
        text = full_names_as_written(text, read, self.question)
        text = number_words_as_written(text, read, self.language)
        if self.language == "id":  # English names are fuzzy
            text = qualifiers_as_written(text, read)
            text = counted_as_written(counts_as_written(text, read), read, self.question)
            text = without_unsupported_asides(text, read, self.question)
            text = abbreviations_as_written(text, read)
            text = titles_as_written(spellings_as_written(text, read), read)
        text, sources, refused = self._ground(text, read)
        self._answer = Answer(
            question=self._asked_as,
            answer=text,
            sources=sources,
            timings=Timings(
                retrieve_ms=self._retrieve_ms,
                ttft_ms=(first - self._started) * 1000,
                total_ms=(end - self._started) * 1000,
                tokens=len(self._parts),
            ),
            model=self._model,
            language=self.language,
            refused=refused,
            cancelled=self._cancelled,
        )

    def _ground(self, text: str, read: list[Passage]) -> tuple[str, tuple[Source, ...], bool]:
        """Check the answer against the passages as the model ``read`` them: keep supported
        citations, add a missing one, and turn an answer built on names the passages never
        mention into a refusal."""
        if not self._cancelled and (about := self._about_the_article()) is not None:
            return about  # issue 37: the byline, not a name from the story
        if is_refusal(text):
            return text, (), True
        if not text or self._cancelled:
            return text, (), False
        # The shape asked for is the user's question's: a translation may change it ("Jumlah
        # negara ... kini bagaimana dibandingkan dulu?" read as "How many countries ...?").
        if shape_mismatch(self._asked_as, strip_citations(text)):
            return REFUSAL[self.language], (), True  # a nearby fact, not the one asked for
        everything_read = [*read, *self._readings_originals()]
        fuzzy, share = self.language == "en", self._corpus_share
        if asks_about_unmentioned(
            self.question, everything_read, fuzzy=fuzzy, corpus_share=share
        ) and not answered_where_asked(text, self.question, everything_read):
            return REFUSAL[self.language], (), True  # the passages are about something else
        own_words = self.language == "id" or self._articles_language == "en"
        if own_words and asks_for_unmentioned_title(self.question, everything_read, self.language):
            return REFUSAL[self.language], (), True  # whoever is named holds another role
        if self._whole_corpus and asks_for_kind_never_mentioned(
            self.question, self.language, everything_read
        ):
            return REFUSAL[self.language], (), True  # what is named is of another kind
        evidence = find_evidence(text, self.question, read)
        supported, unsupported = unsupported_names(
            text, everything_read, fuzzy=fuzzy, question=self.question, corpus_share=share
        )
        if self.language == "en":
            # English answers name things in English ("North Korea") that the Indonesian articles
            # spell otherwise: refuse only when most of what the answer names is unknown.
            ungrounded = len(unsupported) > len(supported)
        else:
            ungrounded = bool(unsupported)
        if ungrounded:
            return REFUSAL[self.language], (), True
        by_number = {p.n: p for p in self.passages}
        read_by_number = {p.n: p for p in read}

        def support(claim: str, n: int) -> Evidence | None:
            """The evidence in passage n for a claim: enough of its words and all its numbers."""
            numbers = [w for w in names_and_numbers(claim) if w[0].isdigit()]
            texts = (by_number[n].text, read_by_number[n].text)
            if not all(any(x in t for t in texts) for x in numbers):
                return None
            found = find_evidence(claim, self.question, [read_by_number[n]])
            if not found or found[0].score < MIN_SUPPORT:
                return None
            return self._in_article(found[0])

        given: list[int] = []
        quotes: dict[int, Evidence] = {}
        for n, claim in cited_claims(text):
            if n in by_number and n not in quotes and (found := support(claim, n)):
                given.append(n)
                quotes[n] = found
        if not given:  # no (valid) citation: cite the passage that best supports the answer
            for candidate in evidence:
                if found := support(text, candidate.n):
                    given, quotes[candidate.n] = [candidate.n], found
                    text = f"{strip_citations(text)} [{candidate.n}]"
                    break
        if given:
            chosen = [(by_number[n], quotes.get(n)) for n in given]
        else:
            chosen = [(p, None) for p in self._fallback]
        sources = tuple(
            Source(
                p.n,
                p.doc,
                p.title,
                p.text,
                p.start,
                p.end,
                p.score,
                cited=bool(given),
                quote_start=e.start if e else None,
                quote_end=e.end if e else None,
            )
            for p, e in chosen
        )
        return self._faithful(text, sources)

    def _faithful(
        self, text: str, sources: tuple[Source, ...]
    ) -> tuple[str, tuple[Source, ...], bool]:
        """Hold a grounded answer to what its cited sentence says (issue 37): the asked event
        must be in it, the asked party must be the one it names, its polarity must be its own."""
        cited = [s for s in sources if s.cited and s.quote]
        if not cited:
            return text, sources, False
        asked = self._asked_as
        quotes = [s.quote for s in cited]
        if missing_asked_event(asked, quotes) or missing_asked_event(self.question, quotes):
            return REFUSAL[self.language], (), True
        first = cited[0]
        claim = strip_citations(text)
        if (party := self._party_asked(claim)) is not None:
            return party
        if polarity_conflict(asked, claim, first.quote):
            if self.language != "id":
                return REFUSAL[self.language], (), True
            return f"{' '.join(first.quote.split())} [{first.n}]", sources, False
        return text, sources, False

    def _party_asked(self, claim: str) -> tuple[str, tuple[Source, ...], bool] | None:
        """For "kepada siapa"/"to whom": the party the sentence fitting the question names in
        that role, cited, when the answer names another one."""
        sentences = {
            p.text[span.start : span.end]: (p, span)
            for p in self.passages
            for span in sentence_spans(p.text)
        }
        found = party_sentence(self._asked_as, sentences)
        if found is None or party_in_role(self._asked_as, claim, found[0]) is None:
            return None
        sentence, party = found
        p, span = sentences[sentence]
        source = Source(
            p.n,
            p.doc,
            p.title,
            p.text,
            p.start,
            p.end,
            p.score,
            cited=True,
            quote_start=p.start + span.start,
            quote_end=p.start + span.end,
        )
        return f"{party} [{p.n}]", (source,), False

    def _about_the_article(self) -> tuple[str, tuple[Source, ...], bool] | None:
        """The answer to a question about the article itself (its author, title, date, source,
        address), from the article's own metadata; None for a question about the story."""
        if self._article_facts is None or not self.passages:
            return None
        top = max(self.passages, key=lambda p: p.score)
        asked = article_fact(self._asked_as, self._article_facts(top.doc, top.title))
        if asked is None:
            return None
        fact, value = asked
        if not value:
            return REFUSAL[self.language], (), True
        answer = fact_sentence(fact, value, self.language)
        for p in self.passages:
            if p.doc == top.doc and (at := first_line_with(p.text, value)) is not None:
                source = Source(
                    p.n,
                    p.doc,
                    p.title,
                    p.text,
                    p.start,
                    p.end,
                    p.score,
                    cited=True,
                    quote_start=p.start + at,
                    quote_end=p.start + at + len(value),
                )
                return f"{answer} [{p.n}]", (source,), False
        return answer, (), False

    def _read(self) -> list[Passage]:
        """The passages as the model read them (the English reading, if it had one)."""
        return [
            self._readings[p.n].as_passage() if p.n in self._readings else p for p in self.passages
        ]

    def _readings_originals(self) -> list[Passage]:
        return [r.passage for r in self._readings.values()]

    def _in_article(self, evidence: Evidence) -> Evidence:
        """Evidence found in an English reading, moved to the original sentences it renders."""
        reading = self._readings.get(evidence.n)
        if reading is None:
            return evidence
        start, end = reading.to_article(evidence.start, evidence.end)
        return Evidence(evidence.n, start, end, evidence.score)


@dataclass
class _Loaded:
    index: Index  # or another store's index (qa/stores/): the same attributes
    retriever: Retriever  # or another store's searcher
    corpus_decided: bool = False  # whether the whole corpus fits the prompt has been checked
    corpus_passages: list[Passage] | None = None  # set when it fits
    chunk_to_passages: list[list[int]] = field(default_factory=list)  # chunk -> its passages
    readings: list[Reading] | None = None  # the corpus passages read in English, once made
    indonesian: bool | None = None  # whether the articles are Indonesian, once checked
    doc_rows: dict[str, np.ndarray] | None = None  # article -> its chunk rows, once needed
    scopes: dict[Scope, ScopeRows] = field(default_factory=dict)  # recent scopes, resolved
    # A scope's articles -> their passages when they fit the prompt (else None), chunk -> passages
    scope_corpus: dict[tuple[str, ...], tuple[list[Passage] | None, list[list[int]]]] = field(
        default_factory=dict
    )


class Engine:
    """Questions in, cited answers out. Thread-safe for one question at a time."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
        log: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._generator = generator
        self._log = log
        self._loaded: _Loaded | None = None
        self._lock = threading.RLock()
        self._translations: dict[tuple[str, str], str | None] = {}  # (language, question)

    # ------------------------------------------------------------ components (lazy, once)

    @property
    def embedder(self) -> Embedder:
        """The embedder for indexing: the fastest verified one (see ``make_embedder``)."""
        if self._embedder is None:
            self._embedder = self._make_embedder(None)
        return self._embedder

    def _make_embedder(self, index_embedder: str | None) -> Embedder:
        return make_embedder(
            self.settings.embedder,
            runtime=self.settings.embedder_runtime,
            cache_dir=self.settings.cache_dir,
            index_embedder=index_embedder,
            log=self._log,
        )

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            resolved = resolve_model(self.settings.model, self.settings.cache_dir, self._log)
            self._generator = LlamaGenerator(
                resolved.path,
                resolved.name,
                identity=resolved.identity,
                n_ctx=self.settings.n_ctx,
                n_threads=self.settings.n_threads,
                n_batch=self.settings.n_batch,
            )
        return self._generator

    @property
    def model_name(self) -> str:
        return self.generator.name

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                store = open_store(self.settings)
                index = store.load()
                self._check_embedder(index)
                self._loaded = _Loaded(
                    index,
                    store.searcher(
                        index,
                        self.embedder,
                        self.settings.dense_weight,
                        self.settings.candidate_depth,
                    ),
                )
            return self._loaded

    def _check_embedder(self, index: Index) -> None:
        if self._embedder is None:  # questions: the embedder the index was built with, if it can
            self._embedder = self._make_embedder(index.manifest.embedder)
        expected = self._embedder.name
        if index.manifest.embedder != expected:
            raise IndexMismatchError(
                f"the index was built with {index.manifest.embedder} but {expected} is configured; "
                "run `qa index` to rebuild it"
            )

    def article_meta(self, doc: str) -> ArticleMeta:
        """The date, source and author the index recorded for an article ("" where unknown)."""
        return meta_of(self._load().index.manifest.docs.get(doc, {}))

    def article_facts(self, doc: str, title: str) -> ArticleFacts:
        """What an article says about itself; a date only when the article or its front matter
        gives one (a file's modification date is not when it was published)."""
        meta = self.article_meta(doc)
        date = meta.date if meta.date_from != "file" else ""
        return ArticleFacts(title, meta.author, date, meta.source, meta.url)

    def newer_index(self) -> str | None:
        """The version ``qa index`` (or ``--watch``) made since this engine loaded its index,
        or None: reading one small pointer file, so a UI can check every few seconds. The next
        question loads the new version."""
        if store_kind(self.settings.store).name != "files":
            return None  # a Milvus alias switch is not looked for
        with self._lock:
            if self._loaded is None:
                return None
            current = current_version_dir_or_none(self.settings.index_dir)
            if current is None or current.name == self._loaded.index.version:
                return None
            self._loaded = None
            return current.name

    def index_info(self) -> IndexInfo:
        index = self._load().index
        return IndexInfo(
            path=str(self.settings.index_dir),
            version=index.version,
            articles=len(index.manifest.docs),
            chunks=index.size,
            embedder=index.manifest.embedder,
        )

    def warm_up(
        self, *, translate: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> str:
        """Load everything the first question needs and prefill the fixed prompt prefix.

        With ``translate``, also make the English reading of the corpus (a minute for the seed
        article; ``qa index`` does it) and prefill its prefix. Returns how the prefix got into
        the KV cache (see ``LlamaGenerator.prefill``), or ``"retrieval"`` when the corpus is too
        large to sit in the prompt (then only the rules that start every prompt are prefilled).
        """
        loaded = self._load()
        passages = self._corpus_passages(loaded)
        if passages is None:
            self._prefill(loaded, rules_prefix())
            return "retrieval"
        if translate and (readings := self._english(loaded, translate=True, progress=progress)):
            self._prefill(loaded, prompt_prefix([r.as_passage() for r in readings]))
        return self._prefill(loaded, prompt_prefix(passages))

    def _english(
        self,
        loaded: _Loaded,
        *,
        translate: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Reading] | None:
        """The English reading of the whole corpus, when it sits in the prompt and is not
        English already; without ``translate`` only when every sentence is translated."""
        corpus = self._corpus_passages(loaded)
        if corpus is None or self.settings.english_reading == "off":
            return None
        if loaded.readings is None and needs_translation(p.text for p in corpus):
            generator = self.generator
            identity = str(getattr(generator, "identity", generator.name))
            digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
            cache = TranslationCache(
                self.settings.cache_dir / "translations" / f"{digest}.json", identity
            )
            readings = read_in_english(
                corpus, generator, cache, translate=translate, progress=progress
            )
            if readings and self._fits([r.as_passage() for r in readings]):
                loaded.readings = readings
        return loaded.readings

    def _prefill(self, loaded: _Loaded, prefix: str, save: bool = True) -> str:
        prefill = getattr(self.generator, "prefill", None)
        if prefill is None:
            return "unsupported"
        states = open_store(self.settings).states_dir() if save else None
        return str(prefill(prefix, states))

    # ------------------------------------------------------------ indexing

    def reindex(
        self,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        warn: Callable[[str], None] = lambda _m: None,
    ) -> UpdateReport:
        """Bring the index up to date with the seeds directory; later questions use the new one."""
        store = open_store(self.settings)
        articles = load_articles(
            self.settings.seeds_dir,
            warn,
            int(self.settings.max_article_mb * 2**20),
            known=None if rebuild else store.known_files(),
        )
        params = ChunkingParams(self.settings.chunk_chars, self.settings.chunk_overlap_chars)
        report = store.update(
            articles,
            self.embedder,
            params,
            rebuild=rebuild,
            progress=progress,
            warn=warn,
        )
        with self._lock:
            self._loaded = None
        return report

    # ------------------------------------------------------------ asking

    def validate_question(self, question: str) -> str:
        if has_control(question.replace("\r", "")):
            raise InputError(
                "the question holds control characters (such as NUL or ESC); type it as plain text"
            )
        text = " ".join(question.split())
        if not text:
            raise InputError("the question is empty; type a question about the articles")
        limit = self.settings.max_question_chars
        if len(text) > limit:
            raise InputError(
                f"the question is {len(text)} characters long; keep it under {limit} characters"
            )
        return text

    def _fits(self, passages: list[Passage]) -> bool:
        """Whether a prompt prefix of these passages leaves room for a conversation."""
        budget = self.settings.n_ctx - _RESERVED_TOKENS - self.settings.max_answer_tokens
        total_chars = sum(len(p.text) for p in passages)
        return total_chars < budget * 2.5 and (  # cheap bound first, then exact count
            self.generator.count_tokens(prompt_prefix(passages)) <= budget
        )

    def _corpus_passages(
        self, loaded: _Loaded, scoped: ScopeRows | None = None
    ) -> list[Passage] | None:
        """All passages (of the scope's articles) when they fit the context with room to
        spare, else None."""
        if self.settings.context_mode != "auto" or not loaded.index.complete:
            return None
        if scoped is not None:
            return self._scope_corpus(loaded, scoped)[0]
        if not loaded.corpus_decided:
            passages = tile_chunks(loaded.index.chunks)
            loaded.corpus_decided = True
            if self._fits(passages):
                loaded.corpus_passages = passages
                loaded.chunk_to_passages = [
                    [
                        pi
                        for pi, p in enumerate(passages)
                        if p.doc == chunk.doc and p.start < chunk.end and chunk.start < p.end
                    ]
                    for chunk in loaded.index.chunks
                ]
        return loaded.corpus_passages

    def _scope_corpus(
        self, loaded: _Loaded, scoped: ScopeRows
    ) -> tuple[list[Passage] | None, list[list[int]]]:
        """A scope's passages if they fit the prompt, as the whole corpus is (made once)."""
        if scoped.docs not in loaded.scope_corpus:
            chunks = [loaded.index.chunks[r] for r in scoped.rows]
            passages: list[Passage] | None = tile_chunks(chunks)
            mapping: list[list[int]] = []
            if passages is not None and self._fits(passages):
                mapping = [
                    [
                        pi
                        for pi, p in enumerate(passages)
                        if p.doc == chunk.doc and p.start < chunk.end and chunk.start < p.end
                    ]
                    for chunk in chunks
                ]
            else:
                passages = None
            if len(loaded.scope_corpus) >= 16:
                loaded.scope_corpus.clear()
            loaded.scope_corpus[scoped.docs] = (passages, mapping)
        return loaded.scope_corpus[scoped.docs]

    def scope_rows(self, scope: Scope | None) -> ScopeRows | None:
        """The articles and chunk rows a scope allows (None: all); ``ScopeError`` when an id is
        not indexed or nothing matches. Checked by the core, so the CLI, a batch line and the
        UI refuse the same scopes."""
        return self._scoped(self._load(), scope)

    def _scoped(self, loaded: _Loaded, scope: Scope | None) -> ScopeRows | None:
        if scope is None or scope.everything:
            return None
        scope = scope.checked()
        if scope not in loaded.scopes:
            docs = scope.resolve(loaded.index.manifest.docs)
            if loaded.doc_rows is None:
                loaded.doc_rows = rows_by_doc(loaded.index.chunks)
            if len(loaded.scopes) >= 16:
                loaded.scopes.clear()
            loaded.scopes[scope] = ScopeRows.of(docs, loaded.doc_rows)
        return loaded.scopes[scope]

    def articles(self) -> list[tuple[str, str, ArticleMeta]]:
        """Every indexed article as (id, title, metadata), in index order."""
        docs = self._load().index.manifest.docs
        return [(doc, str(entry.get("title", "")), meta_of(entry)) for doc, entry in docs.items()]

    def search(self, query: str, k: int | None = None, scope: Scope | None = None) -> list[Hit]:
        """The top-k chunks for the query as typed (no translation: no model is loaded)."""
        query = self.validate_question(query)
        loaded = self._load()
        scoped = self._scoped(loaded, scope)
        rows = None if scoped is None else scoped.rows
        return loaded.retriever.search(query, k or self.settings.k, rows)

    def search_query(self, question: str, history: Sequence[Turn]) -> str:
        """What to retrieve with: a follow-up carries the previous question's terms along."""
        if not history:
            return question
        return f"{history[-1].question} {question}"

    def _query(self, loaded: _Loaded, question: str, history: Sequence[Turn]) -> str:
        """What retrieval searches with: the conversation's query, plus the translation of its
        questions asked in the other language than the articles' (lexical matching, which
        carries most of the retrieval, needs the articles' words; bench/QUALITY.md). Over
        Indonesian articles that sit in the prompt, English questions read the English reading
        instead, so they are not translated."""
        query = self.search_query(question, history)
        if self.settings.english_reading == "off":
            return query
        indonesian = self._indonesian(loaded)
        if indonesian and self._corpus_passages(loaded) is not None:
            return query
        articles = "id" if indonesian else "en"
        asked = [history[-1].question] if history else []
        translations = [
            self._translated(q, articles)
            for q in [*asked, question]
            if question_language(q) != articles
        ]
        return " ".join([query, *(t for t in translations if t)])

    def _indonesian(self, loaded: _Loaded) -> bool:
        if loaded.indonesian is None:
            loaded.indonesian = needs_translation(c.text for c in loaded.index.chunks[:50])
        return loaded.indonesian

    def _translated(self, question: str, language: str) -> str | None:
        """The question in ``language`` ("id" or "en"), made once and remembered."""
        key = (language, question)
        if key not in self._translations:
            if len(self._translations) >= 256:
                self._translations.clear()
            translate = question_in_indonesian if language == "id" else question_in_english
            self._translations[key] = translate(self.generator, question)
        return self._translations[key]

    def retrieve(
        self,
        question: str,
        history: Sequence[Turn] = (),
        k: int | None = None,
        scope: Scope | None = None,
    ) -> list[Hit]:
        """The top-k chunks for a question in its conversation (what ``ask`` would rank)."""
        loaded = self._load()
        scoped = self._scoped(loaded, scope)
        query = self._query(loaded, question, history)
        return loaded.retriever.search(
            query, k or self.settings.k, None if scoped is None else scoped.rows
        )

    def ask(
        self, question: str, history: Sequence[Turn] = (), scope: Scope | None = None
    ) -> AnswerStream:
        """Retrieve (from the ``scope``'s articles only), build the prompt and start generating;
        raises ``QAError`` on bad input."""
        question = self.validate_question(question)
        started = time.perf_counter()
        loaded = self._load()
        scoped = self._scoped(loaded, scope)  # a bad scope fails before the model loads
        if summary := self._summary(loaded, question, scoped, started):
            return summary
        generator = self.generator  # a missing model fails before any work is done
        if (preload := getattr(generator, "load_in_background", None)) is not None:
            preload()
        asked_as = question
        language = question_language(question)
        query = self._query(loaded, question, history)
        back: Callable[[str, str], str | None] | None = None
        # Over English articles an Indonesian question is read in English, the answer put back.
        if (
            language == "id"
            and self._reads_in_english(loaded)
            and (english := self._translated(question, "en"))
        ):
            question, language, back = english, "en", self._in_indonesian
        corpus = self._corpus_passages(loaded, scoped)
        k = self.settings.k
        if corpus is not None:  # a small archive: every chunk is scored, for every passage
            rows = None if scoped is None else scoped.rows
            scores = loaded.retriever.scores(query, rows)
            passage_scores = np.zeros(len(corpus), dtype=np.float32)
            mapping = loaded.chunk_to_passages
            if scoped is not None:
                mapping = self._scope_corpus(loaded, scoped)[1]
            for ci, pis in enumerate(mapping):
                for pi in pis:
                    passage_scores[pi] = max(passage_scores[pi], scores[ci])
            passages = [
                Passage(p.n, p.doc, p.title, p.start, p.end, p.text, float(passage_scores[i]))
                for i, p in enumerate(corpus)
            ]
            fallback = sorted(passages, key=lambda p: -p.score)[: min(k, 3)]
        else:
            # top-k fusion, whatever the archive size
            hits = loaded.retriever.search(query, k, None if scoped is None else scoped.rows)
            ranked = merge_spans((hit.chunk, hit.score) for hit in hits)
            floor = self.settings.passage_floor * ranked[0].score if ranked else 0.0
            ranked = [p for p in ranked if p.score >= floor]
            passages = fit_passages(
                ranked, query, self.settings.context_chars, self.settings.other_passage_chars
            )
            fallback = passages[: min(k, 3)]
        retrieve_ms = (time.perf_counter() - started) * 1000
        if (about := self._about_the_article(asked_as, passages)) is not None:
            # The article's byline, title or date: answered from its metadata, no model needed.
            lang = question_language(asked_as)
            return AnswerStream(
                asked_as,
                lang,
                passages,
                fallback,
                iter([about]),
                generator.name,
                started,
                retrieve_ms,
                article_facts=self.article_facts,
            )
        readings = self._english(loaded) if language == "en" else None
        if readings and scoped is not None:
            readings = scope_readings(readings, corpus)
        shown = passages
        if readings:
            corpus = shown = [r.as_passage() for r in readings]
        # In a fresh process, or after a question's translation took the KV cache, this loads
        # the saved state of what the prompt starts with instead of computing it again.
        self._prefill(
            loaded,
            rules_prefix() if corpus is None else prompt_prefix(corpus),
            save=scoped is None,  # a state per scope would fill the disk
        )
        opening = answer_opening(question, language)
        prompt = build_prompt(shown, question, language, history, opening)
        tokens = generator.stream(prompt, self.settings.max_answer_tokens)
        retry: Callable[[Sequence[str], str | None], Iterator[str]] | None = None
        if (avoiding := getattr(generator, "stream_avoiding", None)) is not None:
            # The second try does not go on from the first opening: it led to the answer that
            # failed. It may get another one (``AnswerStream._avoid``).
            def second_try(avoid: Sequence[str], opening: str | None) -> Iterator[str]:
                again = build_prompt(shown, question, language, history, opening)
                return avoiding(again, self.settings.max_answer_tokens, avoid)

            retry = second_try

        return AnswerStream(
            question,
            language,
            passages,
            fallback,
            tokens,
            generator.name,
            started,
            retrieve_ms,
            readings or (),
            retry,
            loaded.index.lexical.share,
            opening,
            whole_corpus=corpus is not None,
            asked_as=asked_as,
            back=back,
            articles_language="id" if self._indonesian(loaded) else "en",
            article_facts=self.article_facts,
        )

    def _about_the_article(self, question: str, passages: list[Passage]) -> str | None:
        """The answer to a question about the top article itself (its author, title, date,
        source, address) or the refusal when it does not say; None for a question about the
        story. ``AnswerStream`` cites the line it was read from."""
        if not passages:
            return None
        top = max(passages, key=lambda p: p.score)
        asked = article_fact(question, self.article_facts(top.doc, top.title))
        if asked is None:
            return None
        fact, value = asked
        language = question_language(question)
        return fact_sentence(fact, value, language) if value else REFUSAL[language]

    def _summary(
        self, loaded: _Loaded, question: str, scoped: ScopeRows | None, started: float
    ) -> AnswerStream | None:
        """A summary of the scope's article (or of the only article), from sentences across all
        of it (``qa.summary``), or None when the question asks for something else."""
        if not loaded.index.complete or (scoped is None and len(loaded.index.manifest.docs) != 1):
            return None  # a store that holds only a sample of the chunks in memory: no summary
        rows = range(len(loaded.index.chunks)) if scoped is None else scoped.rows
        language = question_language(question)
        plan = plan_summary(question, language, [loaded.index.chunks[r] for r in rows])
        if plan is None:
            return None
        passages = list(plan.passages)
        tokens = self.generator.stream(
            plan.prompt, max(self.settings.max_answer_tokens, SUMMARY_TOKENS)
        )
        return AnswerStream(
            question,
            language,
            passages,
            passages[:3],
            tokens,
            self.generator.name,
            started,
            (time.perf_counter() - started) * 1000,
            corpus_share=loaded.index.lexical.share,
            articles_language="id" if self._indonesian(loaded) else "en",
        )

    def _reads_in_english(self, loaded: _Loaded) -> bool:
        """Whether Indonesian questions go through English: the articles are English."""
        return self.settings.english_reading != "off" and not self._indonesian(loaded)

    def _in_indonesian(self, answer: str, passages: str) -> str | None:
        return answer_in_indonesian(self.generator, answer, passages)

    def answer(
        self, question: str, history: Sequence[Turn] = (), scope: Scope | None = None
    ) -> Answer:
        """Ask and wait for the whole answer."""
        return self.ask(question, history, scope).answer
