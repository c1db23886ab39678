"""The naive baseline for bench/latency.py: what a typical local RAG script does.

sentence-transformers imported normally, the retrieved passages in a fresh prompt, a fresh llama.cpp
context for every question (no KV-cache reuse). Same model, threads, retrieval and prompt text as
the product, so the difference measured is only how the work is done.

    .venv/bin/python bench/naive_ask.py --index DIR --model default "question" ["question" ...]

Prints one JSON line per question: {"question", "answer", "retrieve_ms", "ttft_ms", "total_ms",
"tokens"}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

START = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--model", default="default")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()

    from llama_cpp import Llama

    from qa.config import load_settings
    from qa.embedding import SentenceTransformerEmbedder, embedder_identity
    from qa.language import question_language
    from qa.models import resolve_model
    from qa.prompting import build_prompt, merge_spans
    from qa.retrieval import Retriever
    from qa.store import load_index

    settings = load_settings(index_dir=args.index, model=args.model, k=args.k)
    index = load_index(settings.index_dir)
    embedder = SentenceTransformerEmbedder(*reversed(embedder_identity("default")))
    retriever = Retriever(index, embedder, settings.dense_weight)
    model = resolve_model(settings.model, settings.cache_dir)
    llm = Llama(
        model_path=str(model.path),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        n_threads_batch=settings.n_threads,
        verbose=False,
    )
    for i, question in enumerate(args.questions):
        started = START if i == 0 else time.perf_counter()  # the first one pays the start-up
        hits = retriever.search(question, settings.k)
        passages = merge_spans((h.chunk, h.score) for h in hits)
        retrieved = time.perf_counter()
        prompt = build_prompt(passages, question, question_language(question))
        llm.reset()  # no reuse of the previous prompt's KV cache
        llm._ctx.kv_cache_clear()
        first, pieces = None, []
        for part in llm.create_completion(
            prompt,
            max_tokens=settings.max_answer_tokens,
            temperature=0.0,
            top_k=1,
            stop=["<|im_end|>", "<|endoftext|>"],
            stream=True,
        ):
            first = first or time.perf_counter()
            pieces.append(part["choices"][0]["text"])
        end = time.perf_counter()
        print(
            json.dumps(
                {
                    "question": question,
                    "answer": "".join(pieces).strip(),
                    "retrieve_ms": round((retrieved - started) * 1000, 1),
                    "ttft_ms": round(((first or end) - started) * 1000, 1),
                    "total_ms": round((end - started) * 1000, 1),
                    "tokens": len(pieces),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
