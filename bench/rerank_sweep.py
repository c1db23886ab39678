"""Sentence-evidence rerank of the fused candidates: dump features once per archive size, then
sweep rerank settings over the dumps (no index needed), by bench/facqa_split's halves.

    PYTHONPATH=. .venv/bin/python bench/rerank_sweep.py dump --index I --seeds S --probes P \
        --out /tmp/rerank/n100000.json
    PYTHONPATH=. .venv/bin/python bench/rerank_sweep.py sweep /tmp/rerank/n*.json --half tuning

``dump`` keeps, per probe question, the top ``--keep`` candidates in today's fused order (the
order ``Retriever._top`` walks), each with its article, fused score, copy evidence (``qa.copies``)
and sentence-evidence features (below), plus today's own top 5 (``Retriever.search``) as the
reference. ``sweep`` reranks the first N of them by ``fused + lambda * feature``, applies the
copies rule to the reranked walk, and counts recall@5 by article (the probe's own in the top 5),
as bench/archive_probe.py does.

Features (query words: ``qa.copies.query_words``; weights: the index's BM25 idf):
  s1 / s1w: share of the query's words (unweighted / idf-weighted) the best single sentence holds
  s2 / s2w: the same for the best window of 2 adjacent sentences
  all / allw: the same for the whole chunk
  bg: share of the query's adjacent word pairs found adjacent in the chunk's tokens
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _features(text: str, words: frozenset[str], weight: dict[str, float], pairs: set) -> dict:
    from qa.chunking import sentence_spans
    from qa.lexical import tokenize

    total_w = sum(weight.get(w, 0.0) for w in words) or 1.0
    n = len(words) or 1
    sents = []
    seq: list[str] = []
    for span in sentence_spans(text):
        toks = tokenize(text[span.start : span.end], short_forms=True)
        seq += toks
        sents.append(words.intersection(toks))
    if not sents:
        sents = [frozenset()]
    wins = [sents[i] | sents[i + 1] for i in range(len(sents) - 1)] or sents
    every = frozenset().union(*sents)

    def cov(held: frozenset) -> tuple[float, float]:
        return len(held) / n, sum(weight.get(w, 0.0) for w in held) / total_w

    s1 = max(cov(s) for s in sents)
    s2 = max(cov(s) for s in wins)
    al = cov(every)
    adj = {(a, b) for a, b in itertools.pairwise(seq)} | {
        (b, a) for a, b in itertools.pairwise(seq)
    }
    bg = len(pairs & adj) / len(pairs) if pairs else 0.0
    return {
        "s1": s1[0],
        "s1w": s1[1],
        "s2": s2[0],
        "s2w": s2[1],
        "all": al[0],
        "allw": al[1],
        "bg": bg,
    }


def core(sentence: str, words: frozenset[str]) -> str:
    """The stretch of ``sentence`` from its first query word to its last (a copy glued to
    another sentence's tail, or with a byline before it, keeps the same core)."""
    from qa.lexical import _WORD, tokenize

    spans = [
        m.span()
        for m in _WORD.finditer(sentence)
        if words.intersection(tokenize(m.group(0), short_forms=True))
    ]
    return sentence[spans[0][0] : spans[-1][1]] if spans else ""


def dump(args: argparse.Namespace) -> None:
    import numpy as np

    from bench.archive_probe import _halves
    from qa.config import load_settings
    from qa.copies import evidence, query_words
    from qa.engine import Engine
    from qa.lexical import tokenize

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rows = [json.loads(x) for x in args.probes.read_text(encoding="utf-8").splitlines() if x]
    engine = Engine(load_settings(index_dir=args.index, seeds_dir=args.seeds))
    retriever = getattr(engine, "retriever", None) or engine._load().retriever
    index = retriever.index
    bm25 = index.lexical._bm25
    indptr = bm25.scores["indptr"]
    size = index.lexical.size
    halves = _halves()
    out = []
    retriever.search(rows[0]["question"], 5)
    t0 = time.perf_counter()
    for row in rows:
        q = row["question"]
        ref = [h.chunk.doc for h in retriever.search(q, 5)]
        words = query_words(q)
        weight = {}
        for w in words:
            tid = bm25.vocab_dict.get(w)
            df = int(indptr[tid + 1] - indptr[tid]) if tid is not None else 0
            weight[w] = math.log(1 + (size - df + 0.5) / (df + 0.5)) if df else 0.0
        qtoks = tokenize(q, short_forms=True)
        pairs = {(a, b) for a, b in itertools.pairwise(qtoks) if a != b}
        vector = retriever._vector(q)
        matched, matched_scores = index.lexical.matches(q)
        cand_rows, fused, dense, lexical, _ = retriever._candidates(
            vector, matched, matched_scores, max(5, args.depth)
        )
        order = [int(j) for j in np.lexsort((cand_rows, -fused)) if fused[j] > 0.0]
        cands = []
        first_doc: dict[str, str] = {}
        distinct = 0
        for walked, j in enumerate(order):
            chunk = index.chunks[int(cand_rows[j])]
            ev = evidence(chunk.text, words)
            if not (ev and first_doc.setdefault(ev, chunk.doc) != chunk.doc):
                distinct += 1
            cands.append(
                {
                    "doc": chunk.doc,
                    "walked": walked,
                    "fused": float(fused[j]),
                    "lex": float(lexical[j]),
                    "dense": float(dense[j]),
                    "ev": ev,
                    "core": core(ev, words),
                    **_features(chunk.text, words, weight, pairs),
                }
            )
            if distinct == args.keep:
                break
        out.append(
            {"id": row["id"], "doc": row["doc"], "half": halves.get(row["id"], ""), "ref": ref}
            | {"cands": cands}
        )
    print(f"{len(rows)} questions in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"chunks": len(index.chunks), "questions": out}))


def pool(
    cands: list[dict], key: str, min_chars: int = int(os.environ.get("MINC", 40))
) -> list[dict]:
    """The walk minus copies: an item whose ``key`` evidence an earlier item of another
    article had (qa.copies' rule, by that key). Key "contain": one evidence holds the other
    (the shorter at least ``min_chars`` long), so a copy glued to another sentence's tail or a
    byline is still a copy."""
    first_doc: dict[str, str] = {}
    kept: list[tuple[str, str]] = []
    out = []
    for c in cands:
        if key == "contain":
            ev = c["ev"]
            if ev and any(
                d != c["doc"]
                and (ev == e or (min(len(ev), len(e)) >= min_chars and (ev in e or e in ev)))
                for e, d in kept
            ):
                continue
            if ev:
                kept.append((ev, c["doc"]))
            out.append(c)
            continue
        ev = c[key]
        if ev and first_doc.setdefault(ev, c["doc"]) != c["doc"]:
            continue
        out.append(c)
    return out


def rerank(cands: list[dict], feature: str, lam: float, top_n: int, k: int = 5) -> list[str]:
    """Articles of the top k after reranking the first ``top_n`` distinct candidates (copies
    already skipped, in fused order) by fused + lam * feature."""
    head = cands[:top_n]
    if lam:
        head = sorted(head, key=lambda c: -(c["fused"] + lam * _value(c, feature)))
    return [c["doc"] for c in (head + cands[top_n:])[:k]]


def _value(c: dict, feature: str) -> float:
    if "*" in feature:  # product of features
        v = 1.0
        for f in feature.split("*"):
            v *= c[f]
        return v
    if "+" in feature:
        return sum(c[f] for f in feature.split("+"))
    return c[feature]


def recall(qs: list[dict], half: str, fn) -> tuple[float, int]:
    chosen = [q for q in qs if half == "all" or q["half"] == half]
    hit = sum(q["doc"] in fn(q) for q in chosen)
    return hit / len(chosen), hit


def sweep(args: argparse.Namespace) -> None:
    data = {p.stem: json.loads(p.read_text()) for p in args.dumps}
    sizes = list(data)
    print("sizes", sizes, "half", args.half)
    for name, d in data.items():
        qs = d["questions"]
        for q in qs:
            q["cands"] = pool(q["cands"], args.key)
        ref = recall(qs, args.half, lambda q: q["ref"])
        mine = recall(qs, args.half, lambda q: rerank(q["cands"], "s1", 0.0, 50))
        print(f"{name}: today {ref[0]:.3f} ({ref[1]}), replay lam=0 {mine[0]:.3f} ({mine[1]})")
    feats = args.features.split(",")
    lams = [float(x) for x in args.lams.split(",")]
    tops = [int(x) for x in args.tops.split(",")]
    results = []
    for f in feats:
        for n in tops:
            for lam in lams:
                line = []
                for name in sizes:
                    qs = data[name]["questions"]
                    r, _ = recall(
                        qs, args.half, lambda q, f=f, lam=lam, n=n: rerank(q["cands"], f, lam, n)
                    )
                    line.append(r)
                results.append((f, n, lam, line))
    for f, n, lam, line in results:
        figs = " ".join(f"{x:.3f}" for x in line)
        print(f"{f:10s} top{n:3d} lam {lam:5.2f}  {figs}  mean {sum(line) / len(line):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--index", type=Path, required=True)
    d.add_argument("--seeds", type=Path, required=True)
    d.add_argument("--probes", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--keep", type=int, default=60, help="distinct candidates kept")
    d.add_argument("--depth", type=int, default=400, help="candidate depth")
    s = sub.add_parser("sweep")
    s.add_argument("dumps", type=Path, nargs="+")
    s.add_argument("--half", default="tuning")
    s.add_argument("--key", default="ev", help="copy key: ev (today) or core")
    s.add_argument("--features", default="s1,s1w,s2,s2w,all,allw,bg")
    s.add_argument("--lams", default="0,0.05,0.1,0.15,0.2,0.3,0.5")
    s.add_argument("--tops", default="20,30,50")
    args = parser.parse_args()
    dump(args) if args.cmd == "dump" else sweep(args)


if __name__ == "__main__":
    main()
