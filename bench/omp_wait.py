"""llama.cpp's OpenMP wait policy: prefill and generation time, spinning (OpenMP's default) next to
passive (what ``qa`` sets), each in a fresh process, optionally with busy processes beside it.

    .venv/bin/python bench/omp_wait.py [--busy N] [--tokens 32]

``--busy N`` starts N processes that spin on the CPU meanwhile, as other programs (or a test
suite, or helpers) do on a shared two-core machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_PROBE = """
import json, sys, time
from llama_cpp import Llama
from qa.config import load_settings
from qa.models import resolve_model
path = resolve_model("default", load_settings().cache_dir).path
llm = Llama(model_path=str(path), n_ctx=2048, n_threads=2, n_threads_batch=2, verbose=False)
text = open(sys.argv[1], "rb").read()[:1500]
tokens = llm.tokenize(text)
t = time.perf_counter(); llm.eval(tokens); prefill = time.perf_counter() - t
t = time.perf_counter()
llm.create_completion("Rusia dan Korea Utara", max_tokens=int(sys.argv[2]), temperature=0)
done = time.perf_counter() - t
print(json.dumps({"prefill_s": prefill, "tokens": len(tokens), "generate_s": done}))
"""


def _spin(stop: float) -> None:
    while time.time() < stop:
        pass


def _probe(policy: str | None, tokens: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["PYTHONPATH"] = str(ROOT)
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    seed = next((ROOT / "seeds").glob("*.txt"))
    # The probe sets the policy itself: llama_cpp is imported before qa could set its default.
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(seed), str(tokens)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--busy", type=int, default=0, help="spinning processes alongside")
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()
    busy = [
        multiprocessing.Process(target=_spin, args=(time.time() + 3600,), daemon=True)
        for _ in range(args.busy)
    ]
    for p in busy:
        p.start()
    try:
        policies = (("spin (OpenMP default)", "ACTIVE"), ("passive (qa's default)", "PASSIVE"))
        rows = {name: _probe(policy, args.tokens) for name, policy in policies}
    finally:
        for p in busy:
            p.terminate()
    load = os.getloadavg()[0]
    print(f"busy processes alongside: {args.busy}; load average at the end: {load:.1f}")
    print(f"{'wait policy':<24} {'prefill':>14} {'generate':>18}")
    for name, r in rows.items():
        print(
            f"{name:<24} {r['prefill_s']:>7.1f} s/{int(r['tokens'])} tok "
            f"{r['generate_s']:>9.1f} s/{args.tokens} tok"
        )
    spin, passive = rows.values()
    print(
        f"ratio spin/passive: prefill {spin['prefill_s'] / passive['prefill_s']:.2f}x, "
        f"generate {spin['generate_s'] / passive['generate_s']:.2f}x"
    )


if __name__ == "__main__":
    main()
