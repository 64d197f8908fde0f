"""The response-time chart's axis: readable whatever the longest wait, long waits marked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dashboard_case import NOW, TOKEN
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import refresh_clock
from helpscout_app.reconciliation.response_times import ResponseTime
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.web.dashboard_report import CHART_MAX_HOURS, response_chart

SINCE = NOW - timedelta(days=14)


def answered_in(hours: float, *, days_ago: int = 1) -> ResponseTime:
    message_at = NOW - timedelta(days=days_ago)
    return ResponseTime(1, message_at, message_at + timedelta(hours=hours))


@given(st.lists(st.floats(min_value=0, max_value=24 * 400), max_size=20))
def test_the_hour_axis_has_about_six_ticks_and_a_capped_top(longest: list[float]) -> None:
    chart = response_chart([answered_in(hours) for hours in longest], since=SINCE, now=NOW)

    labels = [hours for _, hours in chart.y_ticks]
    assert 5 <= len(labels) <= 7
    assert labels[0] == 0 and labels[-1] == chart.top_hours <= CHART_MAX_HOURS
    assert all(chart.margin <= point.y <= chart.height - chart.margin for point in chart.points)
    assert chart.off_scale == sum(hours > chart.top_hours for hours in longest)


@pytest.mark.parametrize(("longest", "top"), [(2, 30), (30, 30), (40, 40), (71, 72), (312, 72)])
def test_the_axis_top_follows_the_longest_wait_up_to_the_cap(longest: float, top: int) -> None:
    chart = response_chart([answered_in(1), answered_in(longest)], since=SINCE, now=NOW)

    assert chart.top_hours == top


def test_a_message_forgotten_for_days_is_drawn_at_the_top_marked_off_the_scale(
    client: FlaskClient, store_session: Session
) -> None:
    """One buyer message unanswered for 13 days beside five answered within hours: the axis
    stays at 72 h with about six labels (it was 312 h with 53 overlapping labels)."""
    for number in range(6):
        conversation_id = 3120420000 + number
        upsert_conversation(
            store_session,
            conversation_id,
            status="active",
            is_amazon=True,
            relay_base_address=f"buyer{number}@marketplace.amazon.com",
        )
        message_at = NOW - (timedelta(days=13) if number == 0 else timedelta(days=number))
        upsert_thread(
            store_session,
            conversation_id * 10,
            conversation_id,
            thread_type="customer",
            state="published",
            created_by_kind="customer",
            created_at=message_at,
        )
        if number:
            upsert_thread(
                store_session,
                conversation_id * 10 + 1,
                conversation_id,
                thread_type="message",
                state="published",
                created_by_kind="user",
                created_at=message_at + timedelta(hours=2),
            )
        refresh_clock(store_session, conversation_id, now=NOW)
    store_session.commit()

    html = client.get(f"/dashboard?token={TOKEN}&days=14").get_data(as_text=True)

    chart = html.split('id="response-times"')[1].split("</section>")[0]
    labels = len(re.findall(r'<text class="tick"[^>]*text-anchor="end">', chart))
    assert 5 <= labels <= 7 and ">72 h</text>" in chart and ">78 h</text>" not in chart
    assert chart.count('class="late off-scale waiting"') == 1
    assert "312.0 h so far, unanswered (off the scale)" in chart
    assert "1 over 72 h, drawn at the top" in chart
    assert chart.count("<circle") == 5
