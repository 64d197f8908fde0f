"""Word lists as regex alternations shaped like a trie.

Python's regex engine tries the branches of `one|two|three` one after another at every
position; the same words as `(?:one|t(?:hree|wo))` share their prefixes, so each position
costs one branch per distinct next character. For the long word lists the recognizers gate on,
that is several times faster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""


def trie_pattern(words: Iterable[str]) -> str:
    """A non-capturing regex matching exactly the given words (longest first at each branch)."""
    root: dict[str, dict] = {}
    for word in words:
        if not word:
            raise ValueError("trie_pattern: empty word")
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _branch(root)


def _branch(node: dict[str, dict]) -> str:
    alternatives = [
        re.escape(char) + _branch(child) for char, child in sorted(node.items()) if char != _END
    ]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if _END in node else body
