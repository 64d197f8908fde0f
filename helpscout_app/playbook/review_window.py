"""Amazon's "Request a Review" window: 5 to 30 days after delivery (reference/amazon.md §5.3).

From 5 days after the order's EarliestDeliveryDate to 30 days after its LatestDeliveryDate;
Amazon refuses the solicitation outside it, and the sidebar offers it only inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

OPENS_AFTER = timedelta(days=5)
CLOSES_AFTER = timedelta(days=30)


class WindowState(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"  # no delivery dates on the order


@dataclass(frozen=True)
class ReviewWindow:
    """When a review may be requested for one order."""

    opens_at: datetime | None
    closes_at: datetime | None

    def state(self, now: datetime) -> WindowState:
        if self.opens_at is None or self.closes_at is None:
            return WindowState.UNKNOWN
        if now < self.opens_at:
            return WindowState.NOT_YET
        if now > self.closes_at:
            return WindowState.CLOSED
        return WindowState.OPEN


def review_window(
    earliest_delivery: datetime | None, latest_delivery: datetime | None
) -> ReviewWindow:
    """The window for an order with these delivery dates (either may stand for the other)."""
    earliest = earliest_delivery or latest_delivery
    latest = latest_delivery or earliest_delivery
    if earliest is None or latest is None:
        return ReviewWindow(None, None)
    return ReviewWindow(earliest + OPENS_AFTER, latest + CLOSES_AFTER)
