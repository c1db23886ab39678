"""The Milvus store next to the files store, in one run: recall@5, retrieval latency, build time.

    .venv/bin/python bench/milvus_compare.py                      # facqa-dev and a 10k archive
    .venv/bin/python bench/milvus_compare.py --n 0                # facqa-dev only

Each corpus is embedded once with the real embedder (timed); both stores are then built from
those vectors by the same ``qa index`` code path (an embedder that hands out the cached vectors),
so "build" is the embedding time, the same for both stores, plus each store's own writing
(chunking, stemming, BM25, FAISS files or Milvus inserts and index building), printed apart.
Recall@5 is ``qa eval --retrieval-only``'s (``qa.evaluation``): on facqa-dev its 1,581 questions;
on the archive the 378 probe questions (bench/archive_corpus.py). Latency is
``Engine.retrieve`` per question (its query vector cached: the embedder is the same on both),
p50 / p95 over the questions. Milvus here is embedded Milvus Lite, in a temporary ``.db`` file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.archive_corpus import FACQA, generate
from qa.config import load_settings
from qa.embedding import Embedder
from qa.engine import Engine
from qa.evaluation import EvalItem, evaluate, load_items


class CachedEmbedder:
    """The real embedder, each text embedded once: later builds reuse the vectors."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.cache: dict[str, np.ndarray] = {}
        self.seconds = 0.0

    @property
    def name(self) -> str:
        return self.real.name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            started = time.perf_counter()
            for text, vector in zip(missing, self.real.embed(missing), strict=True):
                self.cache[text] = np.asarray(vector, dtype=np.float32)
            self.seconds += time.perf_counter() - started
        return np.stack([self.cache[t] for t in texts])


def engine(seeds: Path, index: Path, store: str, embedder: CachedEmbedder) -> Engine:
    settings = load_settings(seeds_dir=seeds, index_dir=index, store=store, context_mode="retrieve")
    return Engine(settings, embedder=embedder)  # type: ignore[arg-type]


def measure(
    seeds: Path, items: list[EvalItem], store: str, index: Path, cached: CachedEmbedder
) -> dict:
    eng = engine(seeds, index, store, cached)
    before = cached.seconds
    started = time.perf_counter()
    report = eng.reindex()
    embedded = cached.seconds - before
    build = time.perf_counter() - started - embedded
    cached.embed([item.question for item in items])  # both stores time search, not the embedder
    eng.retrieve(items[0].question, k=5)  # loaded (and Milvus collection in memory) first
    times = []
    for item in items:
        t = time.perf_counter()
        eng.retrieve(item.question, k=5)
        times.append((time.perf_counter() - t) * 1000)
    rows = evaluate(eng, items, k=5, retrieval_only=True)
    scored = [hit for _, hit in rows if hit is not None]  # type: ignore[misc]
    return {
        "chunks": report.chunks,
        "write_s": build,
        "embed_s": embedded,
        "recall": sum(scored) / len(scored),
        "questions": len(scored),
        "p50": float(np.percentile(times, 50)),
        "p95": float(np.percentile(times, 95)),
    }


def compare(label: str, seeds: Path, items: list[EvalItem], work: Path, real: Embedder) -> None:
    cached = CachedEmbedder(real)
    files = measure(seeds, items, "files", work / "files-index", cached)
    embed_s = files["embed_s"]
    milvus = measure(seeds, items, f"milvus:{work / 'lite.db'}", work / "milvus-index", cached)
    n = files["chunks"]
    print(f"\n### {label}: {n:,} passages, {files['questions']} questions\n")
    print("| figure | files (FAISS + BM25) | Milvus Lite |")
    print("|---|---|---|")
    print(f"| recall@5 | {files['recall']:.3f} | {milvus['recall']:.3f} |")
    print(
        f"| retrieval p50 / p95 | {files['p50']:.1f} / {files['p95']:.1f} ms | "
        f"{milvus['p50']:.1f} / {milvus['p95']:.1f} ms |"
    )
    print(f"| build: embedding (shared) | {embed_s:.1f} s | {embed_s:.1f} s |")
    print(
        f"| build: the store's own writing | {files['write_s']:.1f} s | {milvus['write_s']:.1f} s |"
    )
    total_f, total_m = embed_s + files["write_s"], embed_s + milvus["write_s"]
    print(
        f"| build total | {total_f:.1f} s ({n / total_f:.1f} passages/s) | "
        f"{total_m:.1f} s ({n / total_m:.1f} passages/s) |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="archive size (0: facqa-dev only)")
    parser.add_argument("--questions", type=Path, default=FACQA / "questions.jsonl")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    args = parser.parse_args()
    from qa.embedding import make_embedder

    settings = load_settings()
    real = make_embedder(
        settings.embedder, runtime=settings.embedder_runtime, cache_dir=settings.cache_dir
    )
    work = Path(tempfile.mkdtemp(prefix="milvus-compare-"))
    try:
        items = (
            load_items(args.questions)[: args.limit] if args.limit else load_items(args.questions)
        )
        compare("facqa-dev", FACQA / "articles", items, work / "facqa", real)
        if args.n:
            seeds = work / "archive"
            probes = generate(seeds, args.n)
            items = [EvalItem(p.id, (p.question,), p.answers, False, p.doc, None) for p in probes]
            compare(f"archive N = {args.n:,}", seeds, items, work / "archive-index", real)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
