"""Embedding speed of every way to run the bundled MiniLM, on the same passages, side by side.

For each runtime (sentence-transformers, qa/numpy_bert.py, onnxruntime fp32, onnxruntime int8 as
`qa models` makes it): passages/s over N real chunks of the facqa-dev articles, fed in slices of
32 as ``qa index`` does; the cold time of one query embedding in a fresh process (import, load,
embed; best of 3); min/mean cosine against sentence-transformers' vectors.

    .venv/bin/python bench/embed_speed.py            # 512 passages
    .venv/bin/python bench/embed_speed.py --n 1000   # the issue's 1,000-passage check

The int8 export is the verified one in the cache (QA_CACHE_DIR) if there is one, else made into a
temporary folder exactly as `qa models` would; the fp32 export always goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa.config import load_settings  # noqa: E402  (sets HF_HUB_OFFLINE first)

ARTICLES = REPO.parent / "shared" / "facqa-dev" / "articles"
QUESTION = "Kapan Putin terakhir kali mengunjungi Korea Utara?"


def facqa_passages(n: int, articles: Path = ARTICLES) -> list[str]:
    """``n`` chunks as ``qa index`` cuts them (600/120), spread evenly over all the articles;
    facqa-dev has ~880, so beyond that 600-char windows over the joined articles fill up."""
    from qa.chunking import ChunkingParams, chunk_articles
    from qa.corpus import load_articles

    loaded = load_articles(articles)
    chunks = [c.text for c in chunk_articles(loaded, ChunkingParams(600, 120))]
    step = max(1, len(chunks) // n)
    out = chunks[::step][:n]
    if len(out) < n:
        joined = "\n".join(a.text.strip() for a in loaded)
        more = n - len(out)
        stride = (len(joined) - 600) // more
        out += [joined[i * stride : i * stride + 600] for i in range(more)]
    return out


def rates(
    embedders: dict[str, Callable[[Sequence[str]], np.ndarray]], texts: list[str], slice_: int
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Vectors and passages/s of each embedder, fed ``slice_`` texts per call in turns: every
    slice goes through every embedder before the next, so other load on the machine falls on
    all of them alike instead of on whichever ran when it came."""
    seconds = dict.fromkeys(embedders, 0.0)
    parts: dict[str, list[np.ndarray]] = {label: [] for label in embedders}
    for embed in embedders.values():
        embed(texts[:4])  # load and warm up outside the timing
    for i in range(0, len(texts), slice_):
        for label, embed in embedders.items():
            start = time.perf_counter()
            parts[label].append(embed(texts[i : i + slice_]))
            seconds[label] += time.perf_counter() - start
    vectors = {label: np.concatenate(p) for label, p in parts.items()}
    return vectors, {label: len(texts) / seconds[label] for label in embedders}


_COLD = """
import time, sys
t0 = time.perf_counter()
sys.path.insert(0, {repo!r})
{setup}
v = e.embed([{q!r}])
print(time.perf_counter() - t0)
"""

_SETUPS = {
    "sentence-transformers": (
        "from qa.embedding import SentenceTransformerEmbedder, default_embedder_path\n"
        "e = SentenceTransformerEmbedder(default_embedder_path(), 'st')"
    ),
    "numpy_bert": (
        "from qa.embedding import make_embedder\ne = make_embedder('default', runtime='exact')"
    ),
    "onnx": (
        "from pathlib import Path\n"
        "from qa.embedding import default_embedder_path\n"
        "from qa.onnx_embedder import OnnxEmbedder\n"
        "e = OnnxEmbedder(Path({path!r}), default_embedder_path(), 'ort')"
    ),
}


def cold_query(setup: str, runs: int = 3) -> float:
    """Best wall time from ``import`` to the query vector, each in a fresh interpreter."""
    code = _COLD.format(repo=str(REPO), setup=setup, q=QUESTION)
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return min(times)


def one_session_all_threads(
    onnx_path: Path, model_dir: Path
) -> Callable[[Sequence[str]], np.ndarray]:
    """Texts one at a time through a single session with one intra-op thread per core."""
    import onnxruntime as ort

    from qa.onnx_embedder import OnnxEmbedder, _run, usable_cores

    options = ort.SessionOptions()
    options.intra_op_num_threads = usable_cores()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    tokenizer = OnnxEmbedder(onnx_path, model_dir, "t")._load_tokenizer()

    def embed(texts: Sequence[str]) -> np.ndarray:
        out = np.concatenate([_run(session, [e]) for e in tokenizer.encode_batch(list(texts))])
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    return embed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=512, help="passages (default 512)")
    parser.add_argument("--slice", type=int, default=32, help="texts per embed call (qa index: 32)")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument(
        "--int8-batch", type=int, default=16, help="also int8 in length-sorted batches (1: skip)"
    )
    parser.add_argument("--long", action="store_true", help="560-character passages")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()

    from qa.embedding import NumpyBertEmbedder, SentenceTransformerEmbedder, default_embedder_path
    from qa.onnx_embedder import OnnxEmbedder, load_export
    from qa.onnx_export import (
        cosines,
        ensure_export,
        export_fp32,
        sample_sources,
        verification_texts,
    )

    settings = load_settings()
    model_dir = default_embedder_path()
    texts = facqa_passages(args.n)
    if args.long:  # the archive's passages: two chunks joined, cut at 560 characters
        texts = [(texts[i] + " " + texts[(i + 1) % len(texts)])[:560] for i in range(len(texts))]
    chars = np.mean([len(t) for t in texts])
    print(f"{len(texts)} facqa-dev passages (mean {chars:.0f} chars), slices of {args.slice}")

    with tempfile.TemporaryDirectory(prefix="qa-embed-speed-") as tmp:
        work = Path(tmp)
        int8 = load_export(settings.cache_dir, model_dir)
        if int8 is None:
            sample = verification_texts(sample_sources(settings.seeds_dir, model_dir))
            made = ensure_export(model_dir, work / "cache", sample, print)
            if made.path is None:
                sys.exit(f"the int8 export failed its check: {made.stamp}")
            int8 = made.path
        (work / "fp32").mkdir()
        fp32 = export_fp32(model_dir, work / "fp32")

        runtimes: dict[str, tuple[Callable[[Sequence[str]], np.ndarray], str]] = {
            "sentence-transformers": (
                SentenceTransformerEmbedder(model_dir, "st", batch_size=16).embed,
                _SETUPS["sentence-transformers"],
            ),
            "numpy_bert": (NumpyBertEmbedder(model_dir, "np").embed, _SETUPS["numpy_bert"]),
            "onnxruntime fp32": (
                OnnxEmbedder(fp32, model_dir, "fp32", batch_size=16).embed,
                _SETUPS["onnx"].format(path=str(fp32)),
            ),
            "onnxruntime int8": (
                OnnxEmbedder(int8, model_dir, "int8").embed,
                _SETUPS["onnx"].format(path=str(int8)),
            ),
        }
        # The previous way: one session on every core's thread, against one 1-thread session per
        # core run side by side (what OnnxEmbedder does now).
        runtimes["onnxruntime int8, 1 session x all cores"] = (
            one_session_all_threads(int8, model_dir),
            _SETUPS["onnx"].format(path=str(int8)),
        )
        if args.int8_batch > 1:  # what one text at a time costs (see OnnxEmbedder)
            runtimes[f"onnxruntime int8 b{args.int8_batch}"] = (
                OnnxEmbedder(int8, model_dir, "int8", batch_size=args.int8_batch).embed,
                _SETUPS["onnx"].format(path=str(int8)),
            )
        vectors, rate = rates({k: v[0] for k, v in runtimes.items()}, texts, args.slice)
        reference = vectors["sentence-transformers"]
        rows = []
        for label, (_embed, setup) in runtimes.items():
            cos = cosines(reference, vectors[label])
            cold = cold_query(setup, args.cold_runs)
            rows.append(
                {
                    "runtime": label,
                    "passages_per_s": round(rate[label], 1),
                    "cold_query_s": round(cold, 3),
                    "min_cos": round(float(cos.min()), 5),
                    "mean_cos": round(float(cos.mean()), 5),
                    "n": len(texts),
                }
            )
            print(
                f"{label:<24} {rate[label]:6.1f} passages/s   cold query {cold:5.2f} s   "
                f"cosine vs ST min {cos.min():.4f} mean {cos.mean():.4f}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
