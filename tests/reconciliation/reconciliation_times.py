"""The scenarios' fixed clock: `T0` and times relative to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
"""A Friday morning, UTC: the scenarios' first buyer message."""


def at(hours: float = 0, minutes: float = 0) -> datetime:
    """`T0` plus some hours and minutes."""
    return T0 + timedelta(hours=hours, minutes=minutes)
