"""The Textual chat UI (``qa tui``); it talks to the core only through ``qa.engine.Engine``."""
