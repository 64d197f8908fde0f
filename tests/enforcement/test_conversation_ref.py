"""ConversationRef: number, web link, customer and the buyer's Amazon orders of a conversation."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from helpscout_app.enforcement.conversation_ref import (
    ConversationRef,
    conversation_ref,
    find_order_ids,
)

LoadFixture = Callable[[str], bytes]


def test_from_get_conversation(load_fixture: LoadFixture) -> None:
    conversation = json.loads(load_fixture("helpscout/api/get_conversation.json"))

    assert conversation_ref(conversation) == ConversationRef(
        conversation_id=3120419377,
        conversation_number=4187,
        mailbox_id=101,
        web_url="https://secure.helpscout.net/conversation/3120419377/4187",
        customer_email="k7m2q9x4b1c8d3f@marketplace.amazon.com",
        subject="Inquiry from Amazon customer Jordan (Order: 112-4839201-5512347)",
        order_ids=("112-4839201-5512347",),
    )


def test_orders_come_from_the_subject_and_the_buyers_threads_only() -> None:
    conversation = {
        "id": 7,
        "subject": "Question",
        "_embedded": {
            "threads": [
                {"type": "note", "body": "Replacement sent as 114-7720193-0012345."},
                {"type": "message", "body": "Your order 115-0000000-0000001 ships today."},
                {"type": "customer", "body": "Orders 112-4839201-5512347, 113-1111111-2222222"},
                {"type": "customer", "body": "Order ID 112-4839201-5512347"},
            ]
        },
    }

    ref = conversation_ref(conversation)

    assert ref.order_ids == ("112-4839201-5512347", "113-1111111-2222222")
    assert ref.conversation_number is None
    assert ref.web_url == "https://secure.helpscout.net/conversation/7"
    assert ref.customer_email is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # catches
        ("Order: 112-4839201-5512347)", ("112-4839201-5512347",)),
        ("<b>112-4839201-5512347</b>", ("112-4839201-5512347",)),
        # leaves alone
        ("1112-4839201-5512347", ()),
        ("112-4839201-55123478", ()),
        ("112-483920-5512347", ()),
        ("tracking 1Z999AA10123456784", ()),
    ],
)
def test_order_id_pattern(text: str, expected: tuple[str, ...]) -> None:
    assert find_order_ids([text]) == expected


@pytest.mark.parametrize("conversation", [{}, {"id": 0}, {"id": True}, {"id": "abc"}])
def test_a_conversation_without_an_id_is_refused(conversation: dict) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        conversation_ref(conversation)
