"""Per-question search time as the archive grows: all-chunk scoring (the old way) against top-k.

    .venv/bin/python bench/search_speed.py                    # 10k and 100k, about 3 minutes
    .venv/bin/python bench/search_speed.py --sizes 10000 --queries 50
    .venv/bin/python bench/search_speed.py --compare /tmp/facqa-index \
        ../shared/facqa-dev/questions.jsonl                   # top-k fusion vs all-chunk fusion

Speed: synthetic archives of N passages, no model needed. Vectors are 384-d (MiniLM's size),
random and normalised ("random"), or mixed from pairs of real MiniLM passage vectors plus noise
when ``--real-vectors INDEX`` names a built index ("mixed", as clustered as real text). Texts
recombine sentences of ``../shared/facqa-dev/articles`` (seeded), indexed by the real BM25;
queries are sentences' leading words. Prints p50/p95 ms per query, old next to new, for dense
(FAISS exact, n-length array vs top-depth), lexical (bm25s score of every chunk vs postings
top-k) and fused (both, then argsort of everything vs candidate fusion), and the HNSW index's
recall@10 against exact search at the same N.

Compare: over a built index and a question file, the share of questions whose top 5 is the same
by top-k fusion (per candidate depth) as by fusing every chunk, and recall@5 of both.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.recall import gold_chunks
from qa import retrieval
from qa.chunking import Chunk
from qa.dense_index import build_dense_index
from qa.dense_index import search as dense_search
from qa.lexical import LexicalIndex
from qa.retrieval import Hit, Retriever, fuse_scores
from qa.store import Index, Manifest

ARTICLES = Path(__file__).resolve().parent.parent.parent / "shared" / "facqa-dev" / "articles"
DIM = 384


@dataclass(frozen=True)
class QueryEmbedder:
    """Hands out precomputed query vectors: the bench times search, not the embedder."""

    vectors: dict[str, np.ndarray]
    name: str = "bench"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def sentences(folder: Path) -> list[str]:
    found: list[str] = []
    for file in sorted(folder.glob("*.txt")):
        text = file.read_text(encoding="utf-8")
        found += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 30]
    return found


def passages(pool: Sequence[str], n: int, seed: int) -> list[str]:
    """``n`` passages of 3 to 5 sentences drawn from ``pool``, the same for the same seed."""
    rng = random.Random(seed)
    return [" ".join(rng.choices(pool, k=rng.randint(3, 5))) for _ in range(n)]


def normalised(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def vectors(kind: str, n: int, real: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """``n`` unit vectors: "random"; "clustered" like sentence embeddings (a direction every
    text shares, 300 topics, noise: two passages have cosine 0.45 on average, as MiniLM's have over
    facqa-dev);
    "mixed", pairs of ``real`` vectors blended, plus noise."""
    if kind == "random":
        return normalised(rng.standard_normal((n, DIM), dtype=np.float32))
    if kind == "clustered":
        topics = np.random.default_rng(12345).standard_normal((301, DIM), dtype=np.float32)
        noise = rng.standard_normal((n, DIM), dtype=np.float32)
        return normalised(1.2 * topics[0] + topics[1 + rng.integers(0, 300, n)] + 0.9 * noise)
    assert real is not None
    a, b = real[rng.integers(0, len(real), n)], real[rng.integers(0, len(real), n)]
    t = rng.uniform(0.3, 0.7, (n, 1)).astype(np.float32)
    noise = 0.02 * rng.standard_normal((n, real.shape[1]), dtype=np.float32)
    return normalised(t * a + (1 - t) * b + noise)


def rows_of(hits: Sequence[Hit]) -> list[int]:
    """Row of each hit: ``chunks`` are built with their row as their ordinal (speed), or looked
    up by chunk id (compare)."""
    return [ROWS.get(h.chunk.id, h.chunk.ordinal) for h in hits]


ROWS: dict[str, int] = {}


def timed(fn: Callable[[str], object], queries: Sequence[str]) -> tuple[float, float]:
    fn(queries[0])  # warm-up
    ms = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        ms.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def speed(
    n: int,
    n_queries: int,
    kinds: Sequence[str],
    hnsw_kinds: set[str],
    real: np.ndarray | None,
    seed: int,
) -> None:
    pool = sentences(ARTICLES)
    started = time.perf_counter()
    texts = passages(pool, n, seed)
    lexical = LexicalIndex.build(texts)
    print(f"\nN={n:,} passages: BM25 built in {time.perf_counter() - started:.0f}s")
    queries = [" ".join(s.split()[:8]) for s in random.Random(seed + 1).sample(pool, n_queries)]
    for kind in kinds:
        speed_of(kind, texts, lexical, queries, real, seed, kind in hnsw_kinds)


def speed_of(
    kind: str,
    texts: Sequence[str],
    lexical: LexicalIndex,
    queries: Sequence[str],
    real: np.ndarray | None,
    seed: int,
    with_hnsw: bool,
) -> None:
    n, n_queries = len(texts), len(queries)
    rng = np.random.default_rng(seed)
    vecs = vectors(kind, n, real, rng)
    flat = build_dense_index(vecs, threshold=n + 1)
    qvecs = vectors(kind, n_queries, real, rng)
    embedder = QueryEmbedder(dict(zip(queries, qvecs, strict=True)))
    chunks = tuple(Chunk(f"d{i}", f"d{i}", i, 0, len(t), t) for i, t in enumerate(texts))
    manifest = Manifest(embedder="bench", dim=DIM, chunking={}, docs={})
    retriever = Retriever(Index(Path("."), manifest, chunks, flat, lexical), embedder, 0.3)

    def dense_old(q: str) -> np.ndarray:  # the code before top-k: FAISS's threads, n-long array
        scores = np.zeros(n, dtype=np.float32)
        sims, rows = flat.search(embedder.embed([q]), n if n <= 2000 else 500)
        scores[rows[0][rows[0] >= 0]] = sims[0][rows[0] >= 0]
        return scores

    def fused_old(q: str) -> list[int]:
        fused = fuse_scores(lexical.scores(q), dense_old(q), retriever.dense_weight)
        return np.argsort(-fused, kind="stable")[:5].tolist()

    def fused_exact(q: str) -> list[int]:  # every chunk, every cosine: what top-k should match
        fused = fuse_scores(lexical.scores(q), vecs @ embedder.vectors[q], retriever.dense_weight)
        return np.argsort(-fused, kind="stable")[:5].tolist()

    print(f"{kind} vectors, {n_queries} queries")
    print(f"{'ms per query':<14} {'old p50':>8} {'old p95':>8} {'new p50':>8} {'new p95':>8}")
    rows = [
        ("dense", dense_old, lambda q: dense_search(flat, embedder.embed([q]), retriever.depth)),
        ("lexical", lexical.scores, lambda q: lexical.top(q, retriever.depth)),
        ("fused top 5", fused_old, lambda q: retriever.search(q, 5)),
    ]
    for name, old, new in rows:
        figures = (*timed(old, queries), *timed(new, queries))
        print(f"{name:<14} " + " ".join(f"{f:8.2f}" for f in figures))
    exact = [fused_exact(q) for q in queries]
    same = sum(rows_of(retriever.search(q, 5)) == e for q, e in zip(queries, exact, strict=True))
    was = sum(fused_old(q) == e for q, e in zip(queries, exact, strict=True))
    print(f"top 5 equal to exact all-chunk fusion: top-k {same}/{n_queries}, old {was}/{n_queries}")
    if not with_hnsw:
        return
    started = time.perf_counter()
    hnsw = build_dense_index(vecs, threshold=0)
    seconds = time.perf_counter() - started
    _, truth = flat.search(qvecs, 10)
    found = sum(
        len(set(dense_search(hnsw, v, 10)[1].tolist()) & set(t.tolist()))
        for v, t in zip(qvecs, truth, strict=True)
    )
    ann = Retriever(Index(Path("."), manifest, chunks, hnsw, lexical), embedder, 0.3)
    p50, p95 = timed(lambda q: ann.search(q, 5), queries)
    same = sum(rows_of(ann.search(q, 5)) == e for q, e in zip(queries, exact, strict=True))
    print(
        f"HNSW built in {seconds:.0f}s: recall@10 vs exact {found / (10 * n_queries):.3f}; "
        f"fused top 5 p50 {p50:.2f} ms p95 {p95:.2f} ms, equal to exact {same}/{n_queries}"
    )


def compare(index_dir: Path, questions: Path, depths: Sequence[int]) -> None:
    from qa.config import load_settings
    from qa.engine import Engine
    from qa.evaluation import load_items

    engine = Engine(load_settings(index_dir=index_dir))
    retriever = engine.retriever
    chunks = retriever.index.chunks
    items = [i for i in load_items(questions) if not i.unanswerable and (i.doc or i.evidence)]
    queries = list(dict.fromkeys(i.question for i in items))
    retriever.embedder = QueryEmbedder(
        dict(zip(queries, engine.embedder.embed(queries), strict=True))
    )
    gold = gold_chunks(items, chunks)
    ROWS.update({c.id: i for i, c in enumerate(chunks)})
    old = [list(np.argsort(-retriever.scores(i.question), kind="stable")[:5]) for i in items]
    recall_old = np.mean([gold[qi, top].any() for qi, top in enumerate(old)])
    print(f"{len(items)} questions, {len(chunks)} chunks; all-chunk recall@5 {recall_old:.4f}")
    print("depth  deepening  same top 5  recall@5")
    for depth in depths:
        for deepening in (1, retrieval.MAX_DEEPENING):
            retriever.depth, retrieval.MAX_DEEPENING = depth, deepening
            new = [rows_of(retriever.search(i.question, 5)) for i in items]
            same = sum(a == b for a, b in zip(old, new, strict=True))
            recall = np.mean([gold[qi, top].any() for qi, top in enumerate(new)])
            print(f"{depth:5d}  {deepening:9d}  {same:5d}/{len(items)}  {recall:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--kinds", default="random,clustered", help="and/or mixed")
    parser.add_argument(
        "--hnsw-kinds", default="clustered,mixed", help="HNSW over random 100k takes 2.5 min"
    )
    parser.add_argument("--real-vectors", type=Path, help="a built index whose vectors to mix")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("INDEX", "QUESTIONS"))
    parser.add_argument("--depths", default="5,10,20,50,100")
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare, [int(d) for d in args.depths.split(",")])
        return
    real = None
    if args.real_vectors:
        from qa.store import load_index

        real = load_index(args.real_vectors).vectors()
    for n in (int(s) for s in args.sizes.split(",")):
        hnsw = set(args.hnsw_kinds.split(","))
        speed(n, args.queries, args.kinds.split(","), hnsw, real, args.seed)


if __name__ == "__main__":
    main()
