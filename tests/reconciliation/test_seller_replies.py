"""Replies sent from Seller Central, known from Amazon's copy of each, answer the buyer."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from reconciliation_times import at
from reconciliation_world import AmazonMailbox, FakeHelpScout, slack_texts
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.reconcile_pass import ReconcileResult
from helpscout_app.store.models import Conversation

COPY_FIXTURE = (
    Path(__file__).parents[1]
    / "fixtures"
    / "amazon"
    / "notifications"
    / "seller-reply-copy.en-us.eml"
)
FIXTURE_ORDER = "113-4829174-5521938"
ALIAS = "q1w2e3r4t5y6u7i"
ORDER = "112-4839201-5512347"


def deliver_seller_reply(mailbox: AmazonMailbox, *, order: str, at: datetime) -> None:
    """Amazon's copy of a reply sent from Seller Central about `order`, at `at`."""
    stamp = format_datetime(at.astimezone(UTC)).replace("-0000", "+0000")
    raw = COPY_FIXTURE.read_text(encoding="utf-8").replace(FIXTURE_ORDER, order)
    raw = re.sub(r"^Date: .*$", f"Date: {stamp}", raw, count=1, flags=re.MULTILINE)
    raw = re.sub(
        r"; [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]+ \+0000 \(UTC\)", f"; {stamp}", raw
    )
    raw = raw.replace("0100018d9c7a8b9c", f"seller-{order}-{int(at.timestamp())}")
    mailbox.maildir.add(raw.encode("utf-8"))


def test_a_reply_sent_from_seller_central_stops_the_clock(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
    fake_slack: Any,
) -> None:
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0), status="closed")
    helpscout.customer_message(1, 11, at(0))
    deliver_seller_reply(amazon_mailbox, order=ORDER, at=at(3))
    passes = [run_pass(at(hours)) for hours in (4, 17, 25)]

    assert [(p.warnings, p.breaches, p.nrn_needed) for p in passes] == [(0, 0, 0)] * 3
    assert slack_texts(fake_slack) == []
    conversation = store_session.get(Conversation, 1, populate_existing=True)
    assert conversation is not None
    assert (conversation.waiting_since, conversation.last_agent_reply_at) == (None, at(3))


def test_a_reply_sent_before_help_scout_had_the_message_counts_once_it_arrives(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
    fake_slack: Any,
) -> None:
    """The [missing] alert sends the agent to Seller Central; the thread turns up later."""
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=at(0))
    run_pass(at(1))  # [missing]
    deliver_seller_reply(amazon_mailbox, order=ORDER, at=at(2))
    run_pass(at(2, 5))
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(6))
    helpscout.customer_message(1, 11, at(6))  # Help Scout's copy, 6 h late
    passes = [run_pass(at(hours)) for hours in (6.5, 17, 25)]

    assert [(p.warnings, p.breaches) for p in passes] == [(0, 0)] * 3
    assert [text.split("]")[0] for text in slack_texts(fake_slack)] == [
        "[missing",
        "Resolved: the [missing",
    ]
    conversation = store_session.get(Conversation, 1, populate_existing=True)
    assert conversation is not None and conversation.waiting_since is None


def test_a_reply_about_an_order_two_waiting_conversations_name_is_not_guessed(
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    run_pass: Callable[[datetime], ReconcileResult],
    store_session: Session,
) -> None:
    for conversation_id, alias in ((1, ALIAS), (2, "z9y8x7w6v5u4t3s")):
        helpscout.conversation(conversation_id, alias=alias, order=ORDER, modified_at=at(0))
        helpscout.customer_message(conversation_id, conversation_id * 10, at(0))
    deliver_seller_reply(amazon_mailbox, order=ORDER, at=at(3))

    result = run_pass(at(4))

    assert result.warnings == 0
    waiting = [
        store_session.get(Conversation, conversation_id, populate_existing=True)
        for conversation_id in (1, 2)
    ]
    assert [c.waiting_since for c in waiting if c is not None] == [at(0), at(0)]
