"""Request headers as Help Scout sends them: looked up whatever the case of their names."""

from __future__ import annotations

from collections.abc import Mapping


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value whatever the case of its name in `headers`, or None.

    Flask's headers already ignore case; plain dicts (tests, the RQ job's copy) do not.
    """
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)
