"""Offline question answering over news articles: the core (no UI code here)."""

__version__ = "0.1.0"
