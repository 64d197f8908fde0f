"""Auto-replies: sent replies that Amazon does not count as an answer.

Amazon: "Auto-responders are not considered a valid response" (reference/amazon.md §2). Help
Scout gives no field that marks a thread as automatic, so the team names the phrases its
auto-replies contain (`AUTO_REPLY_MARKERS`), and a reply containing one is not an answer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def is_auto_reply(body: str | None, markers: Collection[str]) -> bool:
    """True when the reply's text (HTML or plain) contains one of `markers`, ignoring case,
    markup and runs of white space."""
    if not body or not markers:
        return False
    text = _normalized(html.unescape(_TAG.sub(" ", body)))
    return any(_normalized(marker) in text for marker in markers if marker.strip())


def _normalized(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()
