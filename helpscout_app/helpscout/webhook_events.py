"""Help Scout webhook deliveries read into normalized events, and which conversations are Amazon's.

A delivery is the `X-HelpScout-Event` header plus a JSON body; for `convo.*` events the body is a
Mailbox API v2 Conversation (reference/helpscout.md §1.2, §1.7), with the newest threads under
`_embedded.threads` when Help Scout embeds them (§1.8). `parse_webhook_event` keeps the parsed
payload on the event, so a job can always get back to what was received.

Call it only after the signature check (`signatures.verify_webhook_signature`): the event header
is not covered by the signature, the body is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from helpscout_app.amazon.relay_address import is_relay_address
from helpscout_app.helpscout.errors import MalformedPayload
from helpscout_app.helpscout.headers import header_value

EVENT_HEADER = "X-HelpScout-Event"
"""Header naming the event of a delivery (reference §1.3)."""


class Handling(StrEnum):
    """What amz-guard does with a delivery; the web view enqueues one job per kind."""

    AGENT_REPLY = "agent_reply"  # check the reply that was just sent
    CUSTOMER_MESSAGE = "customer_message"  # update the conversation's SLA clock
    CONVERSATION_DELETED = "conversation_deleted"  # stop the conversation's SLA clock
    TEST = "test"  # Help Scout's test ping: answer 200, do nothing
    IGNORE = "ignore"  # acknowledged (2xx) and logged, nothing else


HANDLING_BY_EVENT: Mapping[str, Handling] = {
    "convo.agent.reply.created": Handling.AGENT_REPLY,
    # A new conversation is a customer message when a buyer writes in; one an agent starts is
    # told apart by the job (createdBy / source.via), not here.
    "convo.created": Handling.CUSTOMER_MESSAGE,
    "convo.customer.reply.created": Handling.CUSTOMER_MESSAGE,
    "convo.deleted": Handling.CONVERSATION_DELETED,  # its body is {"id": …} (reference §1.4)
    # Sent by Help Scout's SDK test hook; when exactly, and with what body, is UNCONFIRMED (§1.10).
    "helpscout.test": Handling.TEST,
}
"""Event name → handling; every name not listed is `Handling.IGNORE` (see `handling_for`)."""

_CONVERSATION_EVENT_PREFIX = "convo."
_HANDLINGS_THAT_NEED_A_CONVERSATION = frozenset(
    {Handling.AGENT_REPLY, Handling.CUSTOMER_MESSAGE, Handling.CONVERSATION_DELETED}
)

# Thread types, as really returned by v2 (reference §2.6): an agent's reply is "message"; some
# clients and older pages say "reply". Both count.
AGENT_REPLY_THREAD_TYPES = frozenset({"message", "reply"})
CUSTOMER_THREAD_TYPES = frozenset({"customer"})
# A draft (Send Later included) has not gone out; "underreview" is held by Collision Detection.
_UNSENT_STATES = frozenset({"draft", "underreview"})

# RQ job ids may hold only these characters (rq.job.JOB_ID_PATTERN).
_UNSAFE_IN_KEY = re.compile(r"[^A-Za-z0-9_-]")


def handling_for(event_name: str) -> Handling:
    """The handling of an event name; unknown names are ignored, never a `KeyError`."""
    return HANDLING_BY_EVENT.get(event_name, Handling.IGNORE)


@dataclass(frozen=True)
class WebhookEvent:
    """One webhook delivery, normalized; `payload` is the parsed body as received.

    `thread_id` is the thread the event is about: for an agent reply the newest published reply
    thread, for a customer message the newest customer thread, otherwise the newest thread; None
    when the payload embeds no threads (then fetch them with the API client).
    """

    event_name: str
    handling: Handling
    conversation_id: int | None
    conversation_number: int | None
    mailbox_id: int | None
    customer_email: str | None
    thread_id: int | None
    body_sha256: str
    payload: Mapping[str, Any] = field(repr=False)

    @property
    def thread(self) -> Mapping[str, Any] | None:
        """The embedded thread `thread_id` names (its `body`, `createdBy`, attachments), or None."""
        if self.thread_id is None:
            return None
        threads = embedded_threads(self.payload)
        return next((t for t in threads if positive_int(t.get("id")) == self.thread_id), None)


def parse_webhook_event(headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
    """Read a delivery (headers with `X-HelpScout-Event`, the raw body) into a `WebhookEvent`.

    Raises `MalformedPayload` with the reason when the event header is missing, the body is not
    a UTF-8 JSON object, or an event amz-guard acts on has no conversation id.
    """
    event_name = (header_value(headers, EVENT_HEADER) or "").strip()
    if not event_name:
        raise MalformedPayload(f"the {EVENT_HEADER} header is missing")
    payload = _parse_json_object(event_name, raw_body)
    return webhook_event_from_payload(
        event_name, payload, body_sha256=hashlib.sha256(raw_body).hexdigest()
    )


def webhook_event_from_payload(
    event_name: str, payload: Mapping[str, Any], *, body_sha256: str
) -> WebhookEvent:
    """The `WebhookEvent` of an already parsed payload (a queued job reads its own copy).

    Raises `MalformedPayload` when an event amz-guard acts on has no conversation id.
    """
    handling = handling_for(event_name)
    if not event_name.startswith(_CONVERSATION_EVENT_PREFIX):
        # Customer, tag, rating and test bodies: their "id" is not a conversation's.
        return WebhookEvent(
            event_name=event_name,
            handling=handling,
            conversation_id=None,
            conversation_number=None,
            mailbox_id=None,
            customer_email=None,
            thread_id=None,
            body_sha256=body_sha256,
            payload=payload,
        )

    conversation_id = positive_int(payload.get("id"))
    if conversation_id is None and handling in _HANDLINGS_THAT_NEED_A_CONVERSATION:
        raise MalformedPayload(
            f'{event_name} payload has no conversation id (a positive integer in "id")'
        )
    return WebhookEvent(
        event_name=event_name,
        handling=handling,
        conversation_id=conversation_id,
        conversation_number=positive_int(payload.get("number")),
        mailbox_id=positive_int(payload.get("mailboxId")),
        customer_email=conversation_customer_email(payload),
        thread_id=_event_thread_id(handling, payload),
        body_sha256=body_sha256,
        payload=payload,
    )


def delivery_key(event: WebhookEvent) -> str:
    """A key equal for every delivery of the same event: the RQ job id that de-duplicates it.

    Event name, conversation id, and the thread id, or a hash of the body when there is no
    thread. Only letters, digits, `_` and `-`, as RQ requires of job ids.
    """
    event_part = _UNSAFE_IN_KEY.sub("_", event.event_name.replace(".", "_"))
    conversation_part = str(event.conversation_id) if event.conversation_id else "none"
    if event.thread_id is not None:
        item_part = f"t{event.thread_id}"
    else:
        item_part = f"b{event.body_sha256[:40]}"
    return f"helpscout-{event_part}-c{conversation_part}-{item_part}"


def is_amazon_conversation(
    conversation: WebhookEvent | Mapping[str, Any], amazon_mailbox_ids: Collection[int]
) -> bool:
    """True when a conversation is an Amazon buyer's: its mailbox is one of `AMAZON_MAILBOX_IDS`,
    or its customer writes from an Amazon relay address (`…@marketplace.amazon.<tld>`).

    Takes a `WebhookEvent` or a v2 Conversation payload (webhook body, `get_conversation`, an
    item of `list_conversations`). Everything else is left alone.
    """
    if isinstance(conversation, WebhookEvent):
        mailbox_id, customer_email = conversation.mailbox_id, conversation.customer_email
    elif isinstance(conversation, Mapping):
        mailbox_id = positive_int(conversation.get("mailboxId"))
        customer_email = conversation_customer_email(conversation)
    else:
        return False
    if mailbox_id is not None and mailbox_id in amazon_mailbox_ids:
        return True
    return is_relay_address(customer_email)


def conversation_customer_email(conversation: Mapping[str, Any]) -> str | None:
    """The customer's email of a v2 Conversation: `primaryCustomer.email`, else the creator's
    when a customer created it (v2 has no top-level `customer`, reference §1.7)."""
    primary = conversation.get("primaryCustomer")
    if isinstance(primary, Mapping) and isinstance(primary.get("email"), str):
        return primary["email"]
    creator = conversation.get("createdBy")
    if (
        isinstance(creator, Mapping)
        and creator.get("type") == "customer"
        and isinstance(creator.get("email"), str)
    ):
        return creator["email"]
    return None


def embedded_threads(conversation: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The threads embedded in a v2 Conversation (`_embedded.threads`); [] when there are none."""
    embedded = conversation.get("_embedded")
    threads = embedded.get("threads") if isinstance(embedded, Mapping) else None
    if not isinstance(threads, list):
        return []
    return [thread for thread in threads if isinstance(thread, Mapping)]


def _event_thread_id(handling: Handling, payload: Mapping[str, Any]) -> int | None:
    """The id of the thread the event is about (see `WebhookEvent`), or None."""
    threads = [t for t in embedded_threads(payload) if positive_int(t.get("id")) is not None]
    if handling is Handling.AGENT_REPLY:
        threads = [
            t
            for t in threads
            if t.get("type") in AGENT_REPLY_THREAD_TYPES and t.get("state") not in _UNSENT_STATES
        ]
    elif handling is Handling.CUSTOMER_MESSAGE:
        threads = [t for t in threads if t.get("type") in CUSTOMER_THREAD_TYPES]
    if not threads:
        return None
    # Help Scout lists threads newest first; taking the latest createdAt (then the highest id)
    # does not depend on that order. ISO-8601 UTC strings sort as text.
    newest = max(threads, key=lambda t: (str(t.get("createdAt") or ""), positive_int(t["id"])))
    return positive_int(newest["id"])


def _parse_json_object(event_name: str, raw_body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or `MalformedPayload` saying why it is not one."""
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedPayload(
            f"{event_name} body is not UTF-8 (byte 0x{raw_body[err.start]:02x} at {err.start})"
        ) from err
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as err:
        raise MalformedPayload(
            f"{event_name} body is not valid JSON: {err.msg} at line {err.lineno} "
            f"column {err.colno}"
        ) from err
    except (ValueError, RecursionError) as err:
        # An integer of thousands of digits (ValueError) or arrays nested thousands deep
        # (RecursionError): valid JSON in theory, never a Help Scout payload.
        raise MalformedPayload(f"{event_name} body is JSON too large or deep to read") from err
    if not isinstance(payload, dict):
        raise MalformedPayload(
            f"{event_name} body is a JSON {_json_type(payload)}, expected an object"
        )
    return payload


def positive_int(value: object) -> int | None:
    """An id as Help Scout sends it (a positive integer; a digit string is tolerated), or None."""
    if isinstance(value, bool):  # bool is an int subclass; true is not an id
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value) if int(value) > 0 else None
    return None


def _json_type(value: object) -> str:
    """JSON's name for the type of a parsed value, for error messages."""
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"
