"""What an alert or a note says about a Help Scout conversation: number, link, Amazon orders.

Built from a v2 Conversation (a webhook body, `get_conversation`, an item of
`list_conversations`); nothing here calls Help Scout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from helpscout_app.helpscout.webhook_events import (
    CUSTOMER_THREAD_TYPES,
    conversation_customer_email,
    embedded_threads,
    positive_int,
)
from helpscout_app.store.models import Conversation

HELPSCOUT_WEB_URL = "https://secure.helpscout.net/conversation"
"""Where agents open a conversation: `{HELPSCOUT_WEB_URL}/{id}/{number}` (the `_links.web` form
of Help Scout's Get Conversation example, reference/helpscout.md §1.7)."""

ORDER_ID = re.compile(r"(?<![0-9])[0-9]{3}-[0-9]{7}-[0-9]{7}(?![0-9])")
"""An Amazon order ID, `112-4839201-5512347`, not inside a longer run of digits."""


@dataclass(frozen=True)
class ConversationRef:
    """The facts about a conversation that alerts and notes name; never a message body.

    `order_ids` are the buyer's Amazon orders, in order of first appearance.
    """

    conversation_id: int
    conversation_number: int | None
    mailbox_id: int | None
    web_url: str
    customer_email: str | None
    subject: str | None
    order_ids: tuple[str, ...]


def conversation_ref(conversation: Mapping[str, Any]) -> ConversationRef:
    """The `ConversationRef` of a v2 Conversation; raises ValueError when it has no id.

    Order IDs come from the subject and the buyer's own threads (Amazon's notification puts
    "Order ID …" in both), not from notes or replies, which may name a replacement order.
    """
    conversation_id = positive_int(conversation.get("id"))
    if conversation_id is None:
        raise ValueError('a Help Scout conversation needs a positive integer "id"')
    number = positive_int(conversation.get("number"))
    subject = conversation.get("subject")
    subject = subject if isinstance(subject, str) else None
    customer_texts = (
        thread.get("body")
        for thread in embedded_threads(conversation)
        if thread.get("type") in CUSTOMER_THREAD_TYPES
    )
    return ConversationRef(
        conversation_id=conversation_id,
        conversation_number=number,
        mailbox_id=positive_int(conversation.get("mailboxId")),
        web_url=conversation_web_url(conversation_id, number),
        customer_email=conversation_customer_email(conversation),
        subject=subject,
        order_ids=find_order_ids([subject, *customer_texts]),
    )


def stored_conversation_ref(conversation: Conversation) -> ConversationRef:
    """The `ConversationRef` of a conversation as the store holds it."""
    return ConversationRef(
        conversation_id=conversation.id,
        conversation_number=conversation.number,
        mailbox_id=conversation.mailbox_id,
        web_url=conversation_web_url(conversation.id, conversation.number),
        customer_email=conversation.customer_email,
        subject=conversation.subject,
        order_ids=tuple(conversation.order_ids or ()),
    )


def conversation_web_url(conversation_id: int, conversation_number: int | None) -> str:
    """The conversation's page in Help Scout's web app."""
    if conversation_number is None:
        return f"{HELPSCOUT_WEB_URL}/{conversation_id}"
    return f"{HELPSCOUT_WEB_URL}/{conversation_id}/{conversation_number}"


def find_order_ids(texts: Iterable[object]) -> tuple[str, ...]:
    """Every Amazon order ID in `texts` (non-strings skipped), each once, in order of appearance."""
    found: dict[str, None] = {}
    for text in texts:
        if isinstance(text, str):
            found.update(dict.fromkeys(ORDER_ID.findall(text)))
    return tuple(found)
