"""Offline question answering over news articles: the core (no UI code here)."""

import os

# llama.cpp's OpenMP threads (and faiss's) spin while they wait by default. On two cores shared
# with anything else that spinning starves the thread doing the work: 32 tokens took 144 s with
# the default and 7.4 s passive on this machine under load (bench/LATENCY.md). Set before any
# OpenMP runtime loads; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
