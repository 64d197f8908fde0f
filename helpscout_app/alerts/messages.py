"""What each Slack alert says: the tagged fallback text and its Block Kit blocks.

The fallback `text` is the contract (DESIGN.md "Slack alerts"): it starts with `[tag]`, then
names the agent, the Help Scout conversation number and link, the Amazon order ID(s) where
known, and the kinds of finding. It never quotes a message: what the agent wrote is in the
Help Scout note, where only the team can read it, not in Slack.

Slack reads both `text` and the blocks as mrkdwn, so `&`, `<` and `>` in names are escaped
(https://api.slack.com/reference/surfaces/formatting#escaping).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from helpscout_app.alerts import mrkdwn
from helpscout_app.alerts.tags import AlertTag
from helpscout_app.enforcement.conversation_ref import ConversationRef
from helpscout_app.store.alerts import alert_dedupe_key

UNKNOWN_AGENT = "An agent"
"""Who is named when Help Scout does not say which user wrote the reply."""


@dataclass(frozen=True)
class Alert:
    """One Slack alert: its tag, the key of the fact it reports, its text and blocks.

    `dedupe_key` comes from `store.alerts.alert_dedupe_key`: the same fact always gives the
    same key, so a second pass or a retried job never posts it twice.
    """

    tag: AlertTag
    dedupe_key: str
    text: str
    blocks: list[dict[str, Any]] = field(compare=False)
    conversation_id: int | None = None


def noncompliant_sent_alert(
    conversation: ConversationRef,
    *,
    thread_id: int,
    agent_name: str | None,
    kinds: Collection[str],
) -> Alert:
    """`[noncompliant-sent]`: a reply with contact details already went to an Amazon buyer."""
    headline = f"{_agent(agent_name)} sent an Amazon buyer a reply with {_kinds(kinds)}"
    return _alert(
        AlertTag.NONCOMPLIANT_SENT,
        alert_dedupe_key(
            AlertTag.NONCOMPLIANT_SENT, conv=conversation.conversation_id, thread=thread_id
        ),
        conversation,
        headline=headline,
        agent_name=agent_name,
        kinds=kinds,
        outcome="Already sent: a note with the findings is on the conversation.",
    )


def blocked_reply_alert(
    conversation: ConversationRef,
    *,
    thread_id: int,
    agent_name: str | None,
    kinds: Collection[str],
    cancelled: bool,
    body_hash: str | None = None,
) -> Alert:
    """`[blocked-reply]`: a Send Later reply with contact details; `cancelled` in gate mode.

    Give `body_hash` (the scheduled body's) so an edited reply that is scheduled again with
    other contact details is a new fact, alerted again; without it, once per thread.
    """
    if cancelled:
        headline = (
            f"Send Later reply by {_agent(agent_name, capitalized=False)} cancelled: "
            f"it would have sent an Amazon buyer {_kinds(kinds)}"
        )
        outcome = "Cancelled: the reply is a draft again, with a note saying what to change."
    else:
        headline = (
            f"Send Later reply by {_agent(agent_name, capitalized=False)} will send "
            f"an Amazon buyer {_kinds(kinds)}"
        )
        outcome = "Not cancelled (flag mode): a note says what to change before it goes out."
    facts: dict[str, object] = {"conv": conversation.conversation_id, "thread": thread_id}
    if body_hash is not None:
        facts["body"] = body_hash
    return _alert(
        AlertTag.BLOCKED_REPLY,
        alert_dedupe_key(AlertTag.BLOCKED_REPLY, **facts),
        conversation,
        headline=headline,
        agent_name=agent_name,
        kinds=kinds,
        outcome=outcome,
    )


def draft_flagged_alert(
    conversation: ConversationRef,
    *,
    thread_id: int,
    body_hash: str,
    agent_name: str | None,
    kinds: Collection[str],
) -> Alert:
    """`[draft-flagged]`: a draft to an Amazon buyer holds contact details; once per content."""
    headline = f"Draft by {_agent(agent_name, capitalized=False)} holds {_kinds(kinds)}"
    return _alert(
        AlertTag.DRAFT_FLAGGED,
        alert_dedupe_key(
            AlertTag.DRAFT_FLAGGED,
            conv=conversation.conversation_id,
            thread=thread_id,
            body=body_hash,
        ),
        conversation,
        headline=headline,
        agent_name=agent_name,
        kinds=kinds,
        outcome="Not sent yet: a note on the conversation says what to change.",
    )


def _alert(
    tag: AlertTag,
    dedupe_key: str,
    conversation: ConversationRef,
    *,
    headline: str,
    agent_name: str | None,
    kinds: Collection[str],
    outcome: str,
) -> Alert:
    """The alert: `[tag] headline: conversation, orders` as text, and blocks with the same facts."""
    where = conversation_label(conversation)
    text = f"[{tag}] {mrkdwn.escape(headline)}: {mrkdwn.escape(where)} {conversation.web_url}"
    if conversation.order_ids:
        text += f", {orders_label(conversation.order_ids)}"
    fields = [
        mrkdwn.field("Conversation", f"<{conversation.web_url}|{mrkdwn.escape(where)}>"),
        mrkdwn.field(
            "Amazon order", mrkdwn.escape(", ".join(conversation.order_ids) or "not known")
        ),
        mrkdwn.field("Agent", mrkdwn.escape(agent_name or "not known")),
        mrkdwn.field("Found", mrkdwn.escape(", ".join(sorted(kinds)) or "nothing")),
    ]
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*[{tag}]* {mrkdwn.escape(headline)}"},
        },
        {"type": "section", "fields": fields},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn.escape(outcome)}]},
    ]
    return Alert(
        tag=tag,
        dedupe_key=dedupe_key,
        text=text,
        blocks=blocks,
        conversation_id=conversation.conversation_id,
    )


def conversation_label(conversation: ConversationRef) -> str:
    """The conversation as agents name it ("Help Scout #4187"), or by id without a number."""
    if conversation.conversation_number is not None:
        return f"Help Scout #{conversation.conversation_number}"
    return f"Help Scout conversation {conversation.conversation_id}"


def orders_label(order_ids: Collection[str]) -> str:
    """The orders as a phrase: "order 112-…" or "orders 112-…, 113-…"."""
    return ("order " if len(order_ids) == 1 else "orders ") + ", ".join(order_ids)


def _agent(agent_name: str | None, *, capitalized: bool = True) -> str:
    """The agent's name, or a phrase saying it is not known."""
    if agent_name:
        return agent_name
    return UNKNOWN_AGENT if capitalized else UNKNOWN_AGENT.lower()


def _kinds(kinds: Collection[str]) -> str:
    """The finding kinds for a sentence, sorted so the same findings read the same."""
    names = sorted(str(kind) for kind in kinds)
    if not names:
        return "contact details"
    return ", ".join(names)
