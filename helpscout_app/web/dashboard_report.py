"""The manager dashboard's figures, read from the store in one pass: open Amazon conversations
by deadline, messages missing from Help Scout, compliance incidents by agent and week, and
response times with the geometry of their chart against Amazon's 24-hour line.

Pure reads and arithmetic; the view renders what `build_report` returns.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpscout_app.amazon.marketplaces import marketplace_by_id
from helpscout_app.enforcement.conversation_ref import conversation_web_url
from helpscout_app.reconciliation.clock import AMAZON_RESPONSE_TIME, ClockState, open_clocks
from helpscout_app.reconciliation.missing import missing_notifications
from helpscout_app.reconciliation.response_times import ResponseTime, percentile, response_times
from helpscout_app.store.models import ComplianceIncident

UNKNOWN_AGENT = "(unknown agent)"

CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_MARGIN = 40
"""The response-time chart's size in SVG units, and room for the axis labels."""

CHART_MAX_HOURS = 72
"""Top of the chart's hour axis at most: one message forgotten for days would otherwise squash
every other point against the bottom. Longer waits are drawn at the top, marked off the scale."""

CHART_MIN_HOURS = 30
"""Top of the hour axis at least, so the 24-hour line always shows with room above it."""

CHART_TICK_STEPS = (1, 2, 3, 4, 6, 8, 12, 24)
"""Hour steps the axis may be labelled in; the smallest giving at most CHART_TICKS intervals."""

CHART_TICKS = 6
"""About how many labelled intervals the hour axis has, whatever its range."""


@dataclass(frozen=True)
class OpenConversation:
    """One Amazon conversation waiting for a reply."""

    conversation_id: int
    number: int | None
    subject: str | None
    web_url: str
    state: ClockState
    waiting_since: datetime | None
    due_at: datetime | None
    remaining: timedelta | None  # negative once breached
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class MissingMessage:
    """A buyer message Amazon notified that never reached Help Scout."""

    received_at: datetime | None
    order_ids: tuple[str, ...]
    buyer_name: str | None
    subject: str | None
    marketplace: str | None


@dataclass(frozen=True)
class IncidentTable:
    """Compliance incidents counted per agent (rows) and ISO week (columns, Monday's date)."""

    weeks: tuple[date, ...]
    rows: tuple[tuple[str, tuple[int, ...], int], ...]  # agent, count per week, total

    @property
    def total(self) -> int:
        return sum(total for _, _, total in self.rows)


@dataclass(frozen=True)
class ChartPoint:
    """One buyer message on the chart: x by arrival, y by hours to the answer (or so far)."""

    x: float
    y: float
    hours: float
    answered: bool
    late: bool
    message_at: datetime
    off_scale: bool = False  # above the axis' top: drawn at the top edge


@dataclass(frozen=True)
class ResponseChart:
    """The SVG chart's geometry: points, the 24-hour line, and the axis ticks."""

    width: int
    height: int
    margin: int
    points: tuple[ChartPoint, ...]
    line_y: float  # the 24-hour line
    y_ticks: tuple[tuple[float, int], ...]  # (y, hours)
    x_ticks: tuple[tuple[float, date], ...]  # (x, day)
    answered: int
    late: int
    waiting: int
    median: timedelta | None
    p90: timedelta | None
    top_hours: int = CHART_MIN_HOURS
    off_scale: int = 0  # points above top_hours, drawn at the top edge


@dataclass(frozen=True)
class DashboardReport:
    now: datetime
    since: datetime
    open_conversations: tuple[OpenConversation, ...]
    missing: tuple[MissingMessage, ...]
    incidents: IncidentTable
    chart: ResponseChart


def build_report(
    session: Session, *, now: datetime, days: int, missing_grace: timedelta
) -> DashboardReport:
    """Everything the dashboard shows for the `days` before `now`."""
    since = now - timedelta(days=days)
    try:
        opened = tuple(
            OpenConversation(
                conversation_id=conversation.id,
                number=conversation.number,
                subject=conversation.subject,
                web_url=conversation_web_url(conversation.id, conversation.number),
                state=clock.state,
                waiting_since=clock.waiting_since,
                due_at=clock.due_at,
                remaining=clock.remaining(now),
                order_ids=tuple(conversation.order_ids or ()),
            )
            for conversation, clock in open_clocks(session, now=now)
            if conversation.status not in ("closed", "spam")
        )
        missing = tuple(
            MissingMessage(
                received_at=notification.received_at,
                order_ids=tuple(notification.order_ids or ()),
                buyer_name=notification.buyer_name,
                subject=notification.subject,
                marketplace=_marketplace_name(notification.marketplace),
            )
            for notification in missing_notifications(
                session, now=now, grace=missing_grace, since=since
            )
        )
        incidents = incident_table(
            session.execute(
                # One per non-compliant text: a draft flagged and then sent unchanged has an
                # incident at each stage, counted at the first.
                select(ComplianceIncident.agent_name, func.min(ComplianceIncident.created_at))
                .where(ComplianceIncident.created_at >= since, ComplianceIncident.created_at < now)
                .group_by(ComplianceIncident.check_id, ComplianceIncident.agent_name)
            ).all(),
            since=since,
            now=now,
        )
        times = response_times(session, since=since, until=now)
    finally:
        session.rollback()  # a read: end the transaction (on SQLite it holds the write lock)
    return DashboardReport(
        now=now,
        since=since,
        open_conversations=opened,
        missing=missing,
        incidents=incidents,
        chart=response_chart(times, since=since, now=now),
    )


def week_start(moment: datetime) -> date:
    """The Monday of `moment`'s ISO week (UTC)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def incident_table(
    incidents: list[tuple[str | None, datetime]] | list, *, since: datetime, now: datetime
) -> IncidentTable:
    """Counts per agent and week, busiest agent first; every week of the period is a column."""
    weeks: list[date] = []
    week = week_start(since)
    while week <= week_start(now):
        weeks.append(week)
        week += timedelta(days=7)
    counts: Counter[tuple[str, date]] = Counter()
    totals: Counter[str] = Counter()
    for agent_name, created_at in incidents:
        agent = agent_name or UNKNOWN_AGENT
        counts[agent, week_start(created_at)] += 1
        totals[agent] += 1
    rows = tuple(
        (agent, tuple(counts[agent, week] for week in weeks), total)
        for agent, total in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    )
    return IncidentTable(tuple(weeks), rows)


def response_chart(times: list[ResponseTime], *, since: datetime, now: datetime) -> ResponseChart:
    """Each buyer message at its arrival (x) and hours to the answer (y), against the 24-hour
    line; a message still unanswered is drawn at the hours it has waited so far."""
    hours = [
        (time, _hours(time.duration if time.duration is not None else now - time.message_at))
        for time in times
    ]
    top_hours, hour_step = _hour_axis(max((value for _, value in hours), default=0.0))
    top = float(top_hours)
    width, height, margin = CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN
    span = (now - since).total_seconds() or 1.0

    def x_of(moment: datetime) -> float:
        return round(margin + (moment - since).total_seconds() / span * (width - 2 * margin), 1)

    def y_of(value: float) -> float:
        return round(height - margin - value / top * (height - 2 * margin), 1)

    points = tuple(
        ChartPoint(
            x=x_of(time.message_at),
            y=y_of(min(value, top)),
            hours=round(value, 1),
            answered=time.answered_at is not None,
            late=value > _hours(AMAZON_RESPONSE_TIME),
            message_at=time.message_at,
            off_scale=value > top,
        )
        for time, value in hours
    )
    days = max(1, round(span / 86400))
    step = max(1, days // 7)
    x_ticks = tuple(
        (x_of(since + timedelta(days=offset)), (since + timedelta(days=offset)).date())
        for offset in range(0, days + 1, step)
    )
    durations = [time.duration for time in times if time.duration is not None]
    return ResponseChart(
        width=width,
        height=height,
        margin=margin,
        points=points,
        line_y=y_of(_hours(AMAZON_RESPONSE_TIME)),
        y_ticks=tuple((y_of(value), value) for value in range(0, top_hours + 1, hour_step)),
        x_ticks=x_ticks,
        answered=len(durations),
        late=sum(point.late for point in points),
        waiting=sum(not point.answered for point in points),
        median=percentile(durations, 0.5),
        p90=percentile(durations, 0.9),
        top_hours=top_hours,
        off_scale=sum(point.off_scale for point in points),
    )


def _hour_axis(longest: float) -> tuple[int, int]:
    """The hour axis' top and tick step for a longest value of `longest` hours.

    The top covers the longest value (at least CHART_MIN_HOURS, at most CHART_MAX_HOURS) and is
    a multiple of the step; the step is the smallest of CHART_TICK_STEPS giving at most
    CHART_TICKS intervals, so the labels never crowd each other whatever the range.
    """
    wanted = min(max(longest, CHART_MIN_HOURS), CHART_MAX_HOURS)
    for step in CHART_TICK_STEPS:
        if math.ceil(wanted / step) <= CHART_TICKS:
            return math.ceil(wanted / step) * step, step
    step = CHART_TICK_STEPS[-1]
    return math.ceil(wanted / step) * step, step


def _marketplace_name(marketplace_id: str | None) -> str | None:
    """ "Germany (amazon.de)" for a marketplace ID; the ID itself when unknown."""
    found = marketplace_by_id(marketplace_id) if marketplace_id else None
    return f"{found.country} ({found.domain})" if found else marketplace_id


def _hours(duration: timedelta) -> float:
    return duration.total_seconds() / 3600
