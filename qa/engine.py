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
from dataclasses import dataclass, field

import numpy as np

from qa.answer import Answer, Source, Timings
from qa.answer_opening import answer_opening
from qa.answer_stream import AnswerStream
from qa.article_meta import ArticleMeta, meta_of
from qa.checks import AnswerContext, ArticleFacts, answered, disabled_checks
from qa.chunking import Chunk, ChunkingParams
from qa.config import Settings
from qa.corpus import load_articles
from qa.embedding import Embedder, make_embedder
from qa.errors import IndexMismatchError, InputError
from qa.gc_pause import collector_paused
from qa.generation import Generator, LlamaGenerator
from qa.language import question_language
from qa.models import resolve_model
from qa.progress import Progress
from qa.prompting import (
    REFUSAL,
    Passage,
    Turn,
    build_prompt,
    fit_passages,
    merge_spans,
    prompt_prefix,
    rules_prefix,
    strip_citations,
    tile_chunks,
)
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

# What callers import from here (the answer types live in qa.answer, the stream in
# qa.answer_stream).
__all__ = ["Answer", "AnswerStream", "Engine", "IndexInfo", "Source", "Timings"]

# Room kept free in the context for the conversation, the question and the answer.
_RESERVED_TOKENS = 1200


@dataclass(frozen=True)
class IndexInfo:
    path: str
    version: str
    articles: int
    chunks: int
    embedder: str


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

    @property
    def index(self) -> Index:
        """The loaded index (loaded once): its chunks, manifest and BM25 (``lexical.share``)."""
        return self._load().index

    @property
    def retriever(self) -> Retriever:
        """The hybrid retriever over the loaded index, as ``ask`` uses it (bench scripts measure
        it on its own)."""
        return self._load().retriever

    def whole_corpus(self) -> bool:
        """Whether every passage sits in the prompt (a small archive), not a search's best."""
        return self._corpus_passages(self._load()) is not None

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

    def warm_up(self, *, translate: bool = False, progress: Progress | None = None) -> str:
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
        progress: Progress | None = None,
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
        progress: Progress | None = None,
        warn: Callable[[str], None] = lambda _m: None,
    ) -> UpdateReport:
        """Bring the index up to date with the seeds directory; later questions use the new one."""
        store = open_store(self.settings)
        params = ChunkingParams(self.settings.chunk_chars, self.settings.chunk_overlap_chars)
        with collector_paused():  # at 100k articles the collector cost ~40% of a small update
            articles = load_articles(
                self.settings.seeds_dir,
                warn,
                int(self.settings.max_article_mb * 2**20),
                known=None if rebuild else store.known_files(),
            )
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

    def _prompt_budget(self) -> int:
        """Tokens a prompt prefix of passages may take, leaving room for a conversation."""
        return self.settings.n_ctx - _RESERVED_TOKENS - self.settings.max_answer_tokens

    def _fits(self, passages: list[Passage]) -> bool:
        """Whether a prompt prefix of these passages leaves room for a conversation."""
        budget = self._prompt_budget()
        total_chars = sum(len(p.text) for p in passages)
        return total_chars < budget * 2.5 and (  # cheap bound first, then exact count
            self.generator.count_tokens(prompt_prefix(passages)) <= budget
        )

    def _fitting_tiles(self, chunks: Sequence[Chunk]) -> list[Passage] | None:
        """The chunks tiled into passages when a prompt prefix of them leaves room for a
        conversation, else None: a cheap bound on their characters first (~2.5 per token at
        least, met early by an archive), then the exact count."""
        passages = tile_chunks(chunks, max_chars=int(self._prompt_budget() * 2.5))
        return passages if passages is not None and self._fits(passages) else None

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
            passages = self._fitting_tiles(loaded.index.chunks)
            loaded.corpus_decided = True
            if passages is not None:
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
            passages = self._fitting_tiles(chunks)
            mapping: list[list[int]] = []
            if passages is not None:
                mapping = [
                    [
                        pi
                        for pi, p in enumerate(passages)
                        if p.doc == chunk.doc and p.start < chunk.end and chunk.start < p.end
                    ]
                    for chunk in chunks
                ]
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
        if scoped is None:
            return loaded.retriever.search(query, k or self.settings.k)
        return loaded.retriever.search(query, k or self.settings.k, scoped.rows, scoped.docs)

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
        if scoped is None:
            return loaded.retriever.search(query, k or self.settings.k)
        return loaded.retriever.search(query, k or self.settings.k, scoped.rows, scoped.docs)

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
            if scoped is None:
                hits = loaded.retriever.search(query, k)
            else:
                hits = loaded.retriever.search(query, k, scoped.rows, scoped.docs)
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
                disabled_checks=disabled_checks(self.settings.disable_checks),
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
            disabled_checks=disabled_checks(self.settings.disable_checks),
            article_facts=self.article_facts,
        )

    def _about_the_article(self, question: str, passages: list[Passage]) -> str | None:
        """The answer to a question about the top article itself (its author, title, date,
        source, address) or the refusal when it does not say; None for a question about the
        story (the ``answer`` phase of ``qa.checks``). ``AnswerStream`` cites the line it was
        read from."""
        language = question_language(question)
        context = AnswerContext(
            question, language, tuple(passages), {}, article_facts=self.article_facts
        )
        found = answered(context, disabled_checks(self.settings.disable_checks))
        if found is None:
            return None
        cited = found[1]
        return strip_citations(cited.text) if cited else REFUSAL[language]

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
            disabled_checks=disabled_checks(self.settings.disable_checks),
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
