"""Reading and searching a Milvus index: the same ranking as the files store's ``Retriever``.

``MilvusSearcher.search`` does in Milvus what ``qa.retrieval.Retriever.search`` does in FAISS and
bm25s: the dense top-``depth`` (inner product of normalised vectors: the cosine) and the BM25
top-``depth`` over the same stemmed words, each candidate then given its exact score in the other
list too (a search restricted to those candidates), fused by ``qa.retrieval.fuse_scores``. A
``docs`` filter becomes a Milvus filter on every search, so scope works as on the files store.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from qa.bm25_matrix import lucene_idf
from qa.chunking import Chunk
from qa.embedding import Embedder
from qa.lexical import BM25_B, BM25_K1, tokenize
from qa.rerank import RERANK_WEIGHT, top_distinct
from qa.retrieval import CANDIDATE_DEPTH, Hit, fuse_scores
from qa.stores.milvus_schema import (
    CHUNK_FIELDS,
    DOC_FIELDS,
    VersionInfo,
    milvus_term,
    row_chunk,
    row_doc,
    rows,
    terms_collection,
)
from qa.stores.milvus_schema import string_list as _list

# Up to this many chunks the engine gets them all in memory (whether the corpus sits whole in the
# prompt is decided from them); above, only a sample, and every question is a search.
WHOLE_LIMIT = 4096
_SAMPLE = 50  # chunks shown to the engine's language check of a large index
_MAX_LIMIT = 16384  # Milvus's largest search limit


@dataclass(frozen=True)
class MilvusManifest:
    """What ``qa.store.Manifest`` says, read from the collection: ``docs`` looked up on demand."""

    embedder: str
    dim: int
    chunking: dict[str, Any]
    docs: Mapping[str, dict[str, Any]]


class DocsView(Mapping[str, dict[str, Any]]):
    """Article records by id, each read from one of its rows when first asked for."""

    def __init__(self, index: MilvusIndex) -> None:
        self._index = index
        self._seen: dict[str, dict[str, Any]] = {}

    def __getitem__(self, doc: str) -> dict[str, Any]:
        if doc not in self._seen:
            found = self._index.client.query(
                self._index.alias,
                filter=f"doc == {json.dumps(doc, ensure_ascii=False)}",
                output_fields=DOC_FIELDS,
                limit=1,
            )
            if not found:
                raise KeyError(doc)
            self._seen[doc] = row_doc(found[0])
        return self._seen[doc]

    def __len__(self) -> int:
        return self._index.info.articles

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.store.docs(self._index.client, self._index.alias))


class MilvusTerms:
    """BM25's corpus statistics: how many chunks hold a word (a table written with the version),
    and their number and mean length (recorded with the version).

    Milvus's own BM25 scores differ from the files store's (bm25s, Lucene's idf, which is never
    negative; Milvus Lite gives words in most chunks a negative weight), so Milvus's BM25 search
    only picks the candidates and each is scored here exactly as bm25s scores it, from its
    tokens: the same words, the same formula, the same numbers."""

    def __init__(self, index: MilvusIndex) -> None:
        self._index = index
        self._df: dict[str, int] = {}

    def df(self, term: str) -> int:
        """Chunks holding ``term`` (a ``milvus_term``)."""
        self.look_up([term])
        return self._df[term]

    def look_up(self, terms: Sequence[str]) -> None:
        """Learn the chunk counts of ``terms``: one lookup in the version's word-count table;
        a ``TEXT_MATCH`` count per word if that table is gone (a writer replaced the version)."""
        missing = sorted({t for t in terms if t not in self._df})
        if not missing:
            return
        if len(self._df) >= 65536:
            self._df.clear()
        client = self._index.client
        try:
            found = client.get(
                terms_collection(self._index.collection), ids=missing, output_fields=["df"]
            )
            counts = {row["term"]: int(row["df"]) for row in found}
        except Exception:  # the version was replaced: count on the live one
            counts = {}
            for term in missing:
                rows = client.query(
                    self._index.alias,
                    filter=f"TEXT_MATCH(lexical, {json.dumps(term, ensure_ascii=False)})",
                    output_fields=["count(*)"],
                )
                counts[term] = int(rows[0]["count(*)"]) if rows else 0
        for term in missing:
            self._df[term] = counts.get(term, 0)

    def share(self, word: str) -> float:
        """Share of the chunks that hold ``word`` (stemmed), as ``LexicalIndex.share``."""
        terms = tokenize(word)
        if not terms or not self._index.size:
            return 0.0
        return self.df(milvus_term(terms[0])) / self._index.size

    def query_terms(self, query: str) -> list[str]:
        """The query's words that some chunk holds, repeats kept (as bm25s sums them)."""
        terms = [milvus_term(t) for t in tokenize(query, short_forms=True)]
        self.look_up(terms)
        return [t for t in terms if self._df[t] > 0]

    def scores(self, terms: list[str], texts: Sequence[str]) -> np.ndarray:
        """bm25s's score (``qa.bm25_matrix``: Lucene idf, k1 and b) of each tokens text."""
        out = np.zeros(len(texts), dtype=np.float32)
        n = self._index.size
        if not terms or not n:
            return out
        avg = self._index.info.tokens / n if self._index.info.tokens else 1.0
        idf = {t: np.float32(lucene_idf(self.df(t), n)) for t in set(terms)}
        for i, text in enumerate(texts):
            words = text.split()
            counts = Counter(words)
            norm = BM25_K1 * ((1 - BM25_B) + BM25_B * len(words) / avg)
            total = np.float32(0.0)
            for t in terms:
                tf = np.float32(counts.get(t, 0))
                if tf:
                    total += idf[t] * (tf / np.float32(norm + tf))
            out[i] = total
        return out


@dataclass
class MilvusIndex:
    """A loaded Milvus index: searches go to the alias, so a new version is picked up whole."""

    store: Any  # MilvusStore
    client: Any
    collection: str
    info: VersionInfo
    _vectors: np.ndarray | None = field(default=None, repr=False)
    _lexical: list[str] = field(default_factory=list, repr=False)

    @property
    def alias(self) -> str:
        return str(self.store.alias)

    @property
    def version(self) -> str:
        return self.collection

    @property
    def size(self) -> int:
        return self.info.chunks

    @property
    def complete(self) -> bool:
        """Whether ``chunks`` holds every chunk (a small index) or only a sample."""
        return self.size <= WHOLE_LIMIT

    @cached_property
    def manifest(self) -> MilvusManifest:
        return MilvusManifest(self.info.embedder, self.info.dim, self.info.chunking, DocsView(self))

    @cached_property
    def lexical(self) -> MilvusTerms:
        return MilvusTerms(self)

    @cached_property
    def chunks(self) -> tuple[Chunk, ...]:
        """Every chunk in article order (as the files store keeps them) when ``complete``,
        else the first few rows Milvus returns."""
        if not self.complete:
            found = self.client.query(
                self.alias, filter="", output_fields=CHUNK_FIELDS, limit=_SAMPLE
            )
            return tuple(row_chunk(r) for r in found)
        found = sorted(
            rows(self.client, self.alias, [*CHUNK_FIELDS, "lexical", "vector"]),
            key=lambda r: (r["doc"], int(r["ordinal"])),
        )
        vectors = [r["vector"] for r in found]
        self._lexical = [r["lexical"] for r in found]
        self._vectors = (
            np.asarray(vectors, dtype=np.float32)
            if vectors
            else np.zeros((0, self.info.dim), np.float32)
        )
        return tuple(row_chunk(r) for r in found)

    def vectors(self) -> np.ndarray:
        """The vectors of ``chunks``, row for row (a complete index only)."""
        _ = self.chunks
        assert self._vectors is not None, "vectors of a sample"
        return self._vectors

    def token_texts(self) -> list[str]:
        """The BM25 tokens of ``chunks``, row for row (a complete index only)."""
        _ = self.chunks
        return self._lexical


class MilvusSearcher:
    """``qa.retrieval.Retriever``'s ranking, computed by Milvus."""

    def __init__(
        self,
        index: MilvusIndex,
        embedder: Embedder | None,
        dense_weight: float,
        depth: int = CANDIDATE_DEPTH,
        skip_copies: bool = True,
        rerank_weight: float = RERANK_WEIGHT,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.dense_weight = dense_weight if embedder is not None else 0.0
        self.depth = depth
        self.skip_copies = skip_copies  # qa.copies, as the files store's Retriever
        self.rerank_weight = rerank_weight  # qa.rerank, as the files store's Retriever

    def _vector(self, query: str) -> list[float] | None:
        if self.embedder is None or self.dense_weight == 0.0:
            return None
        return [float(x) for x in np.asarray(self.embedder.embed([query])).reshape(-1)]

    def _search(
        self, data: Any, field: str, limit: int, flt: str, fields: list[str]
    ) -> list[dict[str, Any]]:
        metric = "BM25" if field == "sparse" else "IP"
        found = self.index.client.search(
            self.index.alias,
            data=[data],
            anns_field=field,
            limit=max(1, min(limit, _MAX_LIMIT)),
            filter=flt,
            output_fields=fields,
            search_params={"metric_type": metric},
        )
        return [{"id": h["id"], "score": float(h["distance"]), **h["entity"]} for h in found[0]]

    def search(
        self,
        query: str,
        k: int,
        rows: np.ndarray | None = None,
        docs: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The best ``k`` chunks by fused score, ties in article order. A scope's ``docs`` (its
        articles) filter in Milvus; its ``rows`` name them only when ``index.chunks`` holds every
        chunk (above 4,096 chunks it is a sample), so ``docs`` wins when given."""
        if docs is None and rows is not None:
            docs = [self.index.chunks[int(r)].doc for r in rows]
        return self.search_docs(query, k, None if docs is None else set(docs))

    def search_docs(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Hit]:
        """The best ``k`` chunks of ``docs`` (every article when None) by fused score."""
        if docs is not None and not docs:
            return []
        scope = f"doc in {_list(sorted(docs))}" if docs is not None else ""
        vector = self._vector(query)
        terms = self.index.lexical.query_terms(query)
        depth = max(k, self.depth)
        fields = [*CHUNK_FIELDS, "lexical", "vector"]
        rows: dict[str, dict[str, Any]] = {}
        if terms:
            for row in self._search(" ".join(terms), "sparse", depth, scope, fields):
                rows[row["id"]] = row
        if vector is not None:
            for row in self._search(vector, "vector", depth, scope, fields):
                rows[row["id"]] = row
        # Every candidate scored exactly in both lists, from its own tokens and vector.
        found = list(rows.values())
        lexical = self.index.lexical.scores(terms, [r["lexical"] for r in found])
        dense = np.zeros(len(found), dtype=np.float32)
        if vector is not None and found:
            matrix = np.asarray([r["vector"] for r in found], dtype=np.float32)
            dense = matrix @ np.asarray(vector, dtype=np.float32)
        fused = fuse_scores(lexical, dense, self.dense_weight)
        ranked: Iterable[int] = sorted(
            (j for j in range(len(found)) if fused[j] > 0.0),
            key=lambda j: (-float(fused[j]), found[j]["doc"], int(found[j]["ordinal"])),
        )
        order, _ = top_distinct(
            ranked,
            lambda j: row_chunk(found[j]),
            lambda j: float(fused[j]),
            query,
            k,
            skip_copies=self.skip_copies,
            weight=self.rerank_weight,
        )
        hits = [
            Hit(row_chunk(found[j]), float(fused[j]), float(dense[j]), float(lexical[j]))
            for j in order
        ]
        if len(hits) < k:  # as the files store: chunks scoring 0 fill up to k, in article order
            taken = {h.chunk.id for h in hits}
            more = self.index.client.query(
                self.index.alias, filter=scope, output_fields=CHUNK_FIELDS, limit=k + len(taken)
            )
            more = sorted(more, key=lambda r: (r["doc"], int(r["ordinal"])))
            hits += [Hit(row_chunk(r), 0.0, 0.0, 0.0) for r in more if r["id"] not in taken]
        return hits[:k]

    def scores(self, query: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Fused score of every chunk, aligned with ``index.chunks`` (a complete index); or of
        ``rows`` only, aligned with them, as the files store's ``Retriever.scores``."""
        chunks = self.index.chunks
        terms = self.index.lexical.query_terms(query) if chunks else []
        texts = self.index.token_texts()
        if rows is not None:
            texts = [texts[int(r)] for r in rows]
        lexical = self.index.lexical.scores(terms, texts)
        dense = np.zeros(len(texts), dtype=np.float32)
        vector = self._vector(query)
        if vector is not None and texts:
            vectors = self.index.vectors() if rows is None else self.index.vectors()[rows]
            dense = vectors @ np.asarray(vector, dtype=np.float32)
        return fuse_scores(lexical, dense, self.dense_weight)
