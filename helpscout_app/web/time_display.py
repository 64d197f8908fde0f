"""How the sidebar and the dashboard write times and durations for a person: UTC, to the minute.

Registered as Jinja filters by `init_app`; pure functions, so tests call them directly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def format_moment(moment: datetime | None) -> str:
    """`2026-11-26 14:05 UTC`; an em dash when unknown."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_day(moment: datetime | None) -> str:
    """`2026-11-26`; an em dash when unknown."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def format_duration(duration: timedelta | None) -> str:
    """`2 d 4 h`, `3 h 12 min`, `45 min`, `< 1 min`: the size of a duration, sign dropped."""
    if duration is None:
        return "—"
    minutes = int(abs(duration).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else "< 1 min"


def seconds(duration: timedelta | None) -> int | None:
    """Whole seconds, for a `data-` attribute a script counts down from."""
    return None if duration is None else int(duration.total_seconds())


def init_app(app: Flask) -> None:
    """Register the filters (once per app; both blueprints use them)."""
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_duration, "duration")
    app.add_template_filter(seconds, "seconds")
