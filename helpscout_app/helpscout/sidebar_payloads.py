"""What a sidebar request says about the agent's screen: the Dynamic App's JSON body and the
iframe app's query parameters, read into one `SidebarRequest`.

Dynamic App (reference/helpscout.md §3.a): `{"ticket", "customer", "user", "mailbox"}`, with
`ticket: false` on a new conversation and empty fields left out. Iframe app (§3.b): only
non-identifiable context on the URL, e.g. `conversation-id`; the rest comes from the Mailbox API.
Help Scout's vocabulary is open, so anything unexpected reads as unknown rather than raising;
only a body that is not a JSON object at all is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpscout_app.helpscout.errors import MalformedPayload
from helpscout_app.helpscout.webhook_events import positive_int

CONVERSATION_ID_PARAMS = ("conversation-id", "conversationId", "ticket-id")
"""Query parameters the iframe app may name the conversation with (the guide's example uses
`conversation-id`; the others are accepted in case a request spells it so, UNCONFIRMED)."""


@dataclass(frozen=True)
class SidebarRequest:
    """What Help Scout told us about the screen the agent is on (either sidebar kind)."""

    conversation_id: int | None  # None: a new conversation (`ticket: false`)
    conversation_number: int | None = None
    subject: str | None = None
    customer_email: str | None = None
    customer_name: str | None = None
    user_id: int | None = None
    user_name: str | None = None
    mailbox_id: int | None = None


def parse_dynamic_request(raw_body: bytes) -> SidebarRequest:
    """The Dynamic App's POST body; raises `MalformedPayload` unless it is a JSON object."""
    try:
        payload = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError) as err:
        raise MalformedPayload("the sidebar request body is not JSON") from err
    if not isinstance(payload, Mapping):
        raise MalformedPayload("the sidebar request body is not a JSON object")
    ticket = _mapping(payload.get("ticket"))
    customer = _mapping(payload.get("customer"))
    user = _mapping(payload.get("user"))
    mailbox = _mapping(payload.get("mailbox"))
    return SidebarRequest(
        conversation_id=positive_int(ticket.get("id")),
        conversation_number=positive_int(ticket.get("number")),
        subject=_text(ticket.get("subject")),
        customer_email=_customer_email(customer),
        customer_name=_name(customer.get("fname"), customer.get("lname")),
        user_id=positive_int(user.get("id")),
        user_name=_name(user.get("fname"), user.get("lname")),
        mailbox_id=positive_int(mailbox.get("id")),
    )


def parse_app_request(params: Mapping[str, str]) -> SidebarRequest:
    """The iframe app's query parameters (signature already checked)."""
    conversation_id = next(
        (
            positive_int(_int_text(params.get(name)))
            for name in CONVERSATION_ID_PARAMS
            if name in params
        ),
        None,
    )
    return SidebarRequest(
        conversation_id=conversation_id,
        user_id=positive_int(_int_text(params.get("user-id"))),
        mailbox_id=positive_int(_int_text(params.get("mailbox-id"))),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _int_text(value: str | None) -> int | None:
    """ASCII digits as an int, else None ("²" passes isdigit() and then breaks int())."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    return int(value) if len(value) < 20 else None


def _name(first: Any, last: Any) -> str | None:
    parts = [part.strip() for part in (first, last) if isinstance(part, str) and part.strip()]
    return " ".join(parts) or None


def _customer_email(customer: Mapping[str, Any]) -> str | None:
    """`customer.email`, else the first of `customer.emails` (legacy payloads have either)."""
    email = _text(customer.get("email"))
    if email:
        return email
    emails = customer.get("emails")
    if isinstance(emails, list):
        for item in emails:
            found = _text(item) or (_text(item.get("value")) if isinstance(item, Mapping) else None)
            if found:
                return found
    return None
