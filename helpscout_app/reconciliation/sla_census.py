"""How many Amazon buyer conversations stand where against the 24-hour clock, right now.

Read at each /metrics scrape, so it uses the clock columns the passes keep (`clock.open_clocks`,
one query over the conversations with a message waiting) and one count of the answered ones;
no thread is read. Each conversation is in exactly one state:

- `nrn-pending`: closed (or spam) with a buyer message waiting (`no_response_needed.needs_nrn`);
- `breached`: open, waiting past its deadline;
- `warning`: open, waiting, less than the first `SLA_WARNING_HOURS` level left;
- `waiting`: open, waiting, more time left than that;
- `answered`: open (active or pending), every buyer message answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import ClockState, open_clocks
from helpscout_app.reconciliation.no_response_needed import CLOSED_STATUSES, needs_nrn
from helpscout_app.store.models import Conversation


class SlaState(StrEnum):
    """Where an Amazon conversation stands against the 24-hour clock."""

    ANSWERED = "answered"
    WAITING = "waiting"
    WARNING = "warning"
    BREACHED = "breached"
    NRN_PENDING = "nrn-pending"


def count_by_sla_state(
    session: Session, *, now: datetime, warning_hours: tuple[float, ...]
) -> dict[SlaState, int]:
    """Amazon buyer conversations per `SlaState` at `now`; every state is present."""
    counts = dict.fromkeys(SlaState, 0)
    warn_within = timedelta(hours=max(warning_hours)) if warning_hours else None
    for conversation, clock in open_clocks(session, now=now):
        if needs_nrn(conversation):
            counts[SlaState.NRN_PENDING] += 1
        elif clock.state is ClockState.BREACHED:
            counts[SlaState.BREACHED] += 1
        elif warn_within is not None and (clock.remaining(now) or warn_within) < warn_within:
            counts[SlaState.WARNING] += 1
        else:
            counts[SlaState.WAITING] += 1
    counts[SlaState.ANSWERED] = (
        session.scalar(
            select(func.count()).where(
                Conversation.is_amazon.is_(True),
                Conversation.relay_base_address.is_not(None),
                Conversation.waiting_since.is_(None),
                Conversation.last_customer_message_at.is_not(None),
                func.coalesce(Conversation.status, "active").not_in(CLOSED_STATUSES),
            )
        )
        or 0
    )
    return counts
