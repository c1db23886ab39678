"""Text that came from outside (articles, file names, batch lines) made safe where it goes.

Article text, file names and batch input are untrusted: news scraped from the web can carry
terminal escape sequences (``ESC ] 0 ; … BEL`` rewrites a terminal's title, ``ESC [ 2 J`` wipes the
screen) and chat markup (``<|im_start|>``) that a tokenizer would read as control tokens. The one
place each destination is protected:

- ``for_terminal``: every printer (the CLI's output, progress and warnings, the UI's widgets)
  shows control characters as visible symbols instead of sending them. Each is replaced by one
  character, so offsets into the text (citations, the quoted sentence) stay the same.
- ``for_prompt``: text going into a model prompt cannot spell the model's control tokens.
- ``json_text``: JSON output keeps the exact text; JSON escapes what a terminal would obey.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls (except tab and newline) as the Unicode "control pictures" (ESC -> ␛, BEL -> ␇),
# DEL as ␡, and C1 controls (U+0080-U+009F, among them the one-byte CSI U+009B) as �.
_VISIBLE = {
    **{c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)},
    0x7F: 0x2421,
    **{c: 0xFFFD for c in range(0x80, 0xA0)},
}
_VISIBLE_ONE_LINE = {**_VISIBLE, 0x0A: 0x2424, 0x09: 0x2409}  # a name: newline as ␤, tab as ␉
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_C1_DEL = re.compile(r"[\x7f-\x9f]")

# A chat-template control token of the Qwen/ChatML family: <|im_start|>, <|endoftext|>, ….
_CONTROL_TOKEN = re.compile(r"<\|([^|<>\s]{1,40})\|>")


def for_terminal(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character shown as a visible symbol, length unchanged.

    ``one_line`` also shows newlines and tabs: for file names and other one-line values.
    """
    return text.translate(_VISIBLE_ONE_LINE if one_line else _VISIBLE)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character other than tab and newline."""
    return _CONTROL.search(text) is not None


def for_prompt(text: str) -> str:
    """``text`` that cannot spell a control token: ``<|im_start|>`` becomes ``<｜im_start｜>``
    (full-width bars), which the tokenizer reads as ordinary text. Citations never come from
    prompt text, so nothing else changes."""
    return _CONTROL_TOKEN.sub(lambda m: f"<\uff5c{m.group(1)}\uff5c>", text)


def json_text(value: Any) -> str:
    """One JSON line with the exact text; C1 controls and DEL escaped like the C0 ones JSON
    already escapes, so printing it cannot drive a terminal."""
    line = json.dumps(value, ensure_ascii=False)
    return _CONTROL_C1_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
