"""llama.cpp built for AVX2 against built for AVX-512 (VNNI, BF16; AMX off), on the same model.

The Makefile builds the AVX-512 wheel where the CPU has those flags (``avx512`` with AVX-VNNI too,
``avx512-noavxvnni`` without it, as on AMD EPYC Zen 4). This installs the AVX2 wheel and the
AVX-512 one found under ~/.cache/qa-news/wheels/ into bench/out/llama-<cpu>/ (pip --target)
and times, in alternating fresh processes: the prefill of a 400-token prompt (best of 3) and the
generation of 24 tokens, with the default model on every core.

    .venv/bin/python bench/llama_cpu.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELS = Path.home() / ".cache" / "qa-news" / "wheels"
AVX512 = ("avx512", "avx512-noavxvnni")  # the Makefile's folder names

PROBE = r"""
import json, os, time
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from llama_cpp import Llama
from qa.config import load_settings
from qa.models import resolve_model
settings = load_settings()
path = resolve_model("default", settings.cache_dir).path
llm = Llama(model_path=str(path), n_ctx=2048, n_threads=settings.n_threads,
            n_threads_batch=settings.n_threads, verbose=False)
text = sorted((settings.seeds_dir).glob("*.txt"))[0].read_text(encoding="utf-8")
toks = llm.tokenize(text.encode())[:400]
best = 1e9
for _ in range(3):
    llm.reset(); t = time.perf_counter(); llm.eval(toks); best = min(best, time.perf_counter() - t)
llm.reset(); llm.eval(toks[:50]); t = time.perf_counter(); n = 0
for _tok in llm.generate(toks[:50], reset=False):
    n += 1
    if n == 24:
        break
gen = n / (time.perf_counter() - t)
print(json.dumps({"prefill_tok_s": len(toks) / best, "generate_tok_s": gen}))
"""


def install(cpu: str) -> Path | None:
    wheels = sorted((WHEELS / cpu).glob("llama_cpp_python-*.whl"))
    if not wheels:
        return None
    target = ROOT / "bench" / "out" / f"llama-{cpu}"
    if not (target / "llama_cpp").is_dir():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
             str(target), str(wheels[-1])],
            check=True,
        )  # fmt: skip
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    builds = {cpu: path for cpu in ("avx2", *AVX512) if (path := install(cpu))}
    wide = next((cpu for cpu in AVX512 if cpu in builds), "")
    if "avx2" not in builds or not wide:
        sys.exit(f"need an avx2 and an avx512 wheel under {WHEELS} (found {sorted(builds)})")
    runs: dict[str, list[dict]] = {cpu: [] for cpu in builds}
    for _ in range(args.rounds):
        for cpu, path in builds.items():
            env = {**os.environ, "PYTHONPATH": f"{path}{os.pathsep}{ROOT}"}
            out = subprocess.run(
                [sys.executable, "-c", PROBE], env=env, check=True, capture_output=True, text=True
            ).stdout
            runs[cpu].append(json.loads(out.strip().splitlines()[-1]))
    for cpu, rows in runs.items():
        pre = max(r["prefill_tok_s"] for r in rows)
        gen = max(r["generate_tok_s"] for r in rows)
        print(
            f"{cpu:16} prefill {pre:6.1f} tok/s   generate {gen:5.1f} tok/s  (best of {len(rows)})"
        )
    a, b = runs["avx2"], runs[wide]
    print(
        f"{wide}/avx2: prefill "
        f"{max(r['prefill_tok_s'] for r in b) / max(r['prefill_tok_s'] for r in a):.2f}x, generate "
        f"{max(r['generate_tok_s'] for r in b) / max(r['generate_tok_s'] for r in a):.2f}x"
    )


if __name__ == "__main__":
    main()
