"""A Milvus collection holding one version of the index: its schema, rows and description.

One row per chunk: where it comes from (article id, title, offsets, the article's content hash,
file stamp, date, source, author), the original text for citations, the dense vector, and
``lexical``, the chunk's own BM25 tokens (``qa.lexical.chunk_tokens``: case-folded, stop-word-free,
stemmed Indonesian) joined by spaces. Milvus splits that on whitespace and its BM25 function turns
it into the sparse vector it searches, so the words Milvus ranks by are the files store's words.
The index's settings (embedder, dimension, chunking) are a property of the collection (Milvus Lite
drops descriptions), so they switch with the version they describe.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qa.chunking import Chunk
from qa.lexical import BM25_B, BM25_K1, chunk_tokens

APP = "qa-news"
FORMAT = 1
_LONG = 65535  # Milvus's longest VARCHAR
_PATH = 4096 + 32  # an article id is a path below the seeds folder; a chunk id adds "#n"
# Every scalar field a search or a copy reads back (the vector and the tokens on request).
CHUNK_FIELDS = ["id", "doc", "title", "ordinal", "start_char", "end_char", "text"]
DOC_FIELDS = ["doc", "title", "doc_sha256", "stamp", "date", "source", "author", "url", "date_from"]
ROW_FIELDS = sorted({*CHUNK_FIELDS, *DOC_FIELDS, "lexical", "vector"})
# Exact search up to here, as the files store (qa/dense_index.py); a server builds HNSW above.
ANN_THRESHOLD = 200_000
INFO_KEY = "qa.info"


@dataclass(frozen=True)
class VersionInfo:
    """What a collection's description records: which embedder and chunking made it."""

    embedder: str
    dim: int
    chunking: dict[str, Any]
    articles: int
    chunks: int
    created: str
    tokens: int = 0  # BM25 tokens in all chunks: their mean length is BM25's ``avgdl``
    app: str = APP
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> VersionInfo | None:
        """The info of a collection qa wrote, None for anyone else's."""
        try:
            data = json.loads(text)
            info = cls(**data)
        except (ValueError, TypeError):
            return None
        return info if info.app == APP else None


def create_collection(client: Any, name: str, info: VersionInfo, *, lite: bool) -> None:
    """An empty collection for one version, its vector and BM25 indexes declared."""
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=_PATH)
    schema.add_field("doc", DataType.VARCHAR, max_length=_PATH)
    schema.add_field("title", DataType.VARCHAR, max_length=_LONG)
    schema.add_field("ordinal", DataType.INT64)
    schema.add_field("start_char", DataType.INT64)
    schema.add_field("end_char", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=_LONG)
    schema.add_field(
        "lexical",
        DataType.VARCHAR,
        max_length=_LONG,
        enable_analyzer=True,
        enable_match=True,  # TEXT_MATCH: how many chunks hold a word (``MilvusTerms.share``)
        analyzer_params={"tokenizer": "standard"},  # no filters: the words are qa's own
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=info.dim)
    for field in ("doc_sha256", "date", "date_from"):
        schema.add_field(field, DataType.VARCHAR, max_length=64)
    for field in ("stamp", "source", "author", "url"):
        schema.add_field(field, DataType.VARCHAR, max_length=_PATH)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["lexical"],
            output_field_names=["sparse"],
        )
    )
    params = client.prepare_index_params()
    dense = "FLAT" if lite or info.chunks <= ANN_THRESHOLD else "HNSW"
    extra = {"M": 32, "efConstruction": 200} if dense == "HNSW" else {}
    params.add_index(field_name="vector", index_type=dense, metric_type="IP", params=extra)
    params.add_index(
        field_name="sparse",
        index_type="SPARSE_INVERTED_INDEX",
        metric_type="BM25",
        params={"bm25_k1": BM25_K1, "bm25_b": BM25_B},  # the files store's BM25
    )
    params.add_index(field_name="doc", index_type="INVERTED")
    client.create_collection(
        name, schema=schema, index_params=params, properties={INFO_KEY: info.to_json()}
    )


def read_info(client: Any, collection: str) -> VersionInfo | None:
    """The info of a collection qa wrote, None for anyone else's."""
    properties = client.describe_collection(collection).get("properties") or {}
    return VersionInfo.parse(properties.get(INFO_KEY, ""))


def milvus_term(token: str) -> str:
    """A token as a word Milvus's standard tokenizer keeps whole: "-" and "'" (which it would
    split at; Lite has no whitespace tokenizer) become "_" (which it keeps)."""
    return token.replace("-", "_").replace("'", "_")


def lexical_text(tokens: Iterable[str]) -> str:
    return " ".join(milvus_term(t) for t in tokens)


def set_info(client: Any, collection: str, info: VersionInfo) -> None:
    client.alter_collection_properties(collection, properties={INFO_KEY: info.to_json()})


def chunk_row(
    chunk: Chunk, vector: Any, doc: dict[str, Any], tokens: list[str] | None = None
) -> dict[str, Any]:
    """One collection row; ``doc`` holds the article's hash, stamp and metadata."""
    return {
        "id": chunk.id,
        "doc": chunk.doc,
        "title": chunk.title,
        "ordinal": chunk.ordinal,
        "start_char": chunk.start,
        "end_char": chunk.end,
        "text": chunk.text,
        "lexical": lexical_text(tokens if tokens is not None else chunk_tokens(chunk.text)),
        "vector": [float(x) for x in vector],
        "doc_sha256": doc["sha256"],
        "stamp": json.dumps(list(doc.get("stamp", ()))),
        **{k: str(doc.get(k, "")) for k in ("date", "source", "author", "url", "date_from")},
    }


def row_chunk(row: dict[str, Any]) -> Chunk:
    return Chunk(
        doc=row["doc"],
        title=row["title"],
        ordinal=int(row["ordinal"]),
        start=int(row["start_char"]),
        end=int(row["end_char"]),
        text=row["text"],
    )


def row_doc(row: dict[str, Any]) -> dict[str, Any]:
    """The article record a row carries, as the files manifest keeps it per article."""
    try:
        stamp = json.loads(row.get("stamp") or "[]")
    except ValueError:
        stamp = []
    entry = {"sha256": row["doc_sha256"], "title": row["title"], "stamp": stamp}
    for key in ("date", "source", "author", "url", "date_from"):
        if row.get(key):
            entry[key] = row[key]
    return entry


def string_list(values: Iterable[str]) -> str:
    """A Milvus filter's list literal: JSON strings, whose escapes Milvus reads."""
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"
