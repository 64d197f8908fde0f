"""Webhook deliveries read into events: every normalized field, the raw payload, the failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.datastructures import Headers

from helpscout_app.helpscout.errors import MalformedPayload
from helpscout_app.helpscout.webhook_events import (
    HANDLING_BY_EVENT,
    Handling,
    WebhookEvent,
    delivery_key,
    handling_for,
    is_amazon_conversation,
    parse_webhook_event,
)

LoadFixture = Callable[[str], bytes]

AMAZON_MAILBOX_IDS = (101, 202)
RELAY = "k7m2q9x4b1c8d3f@marketplace.amazon.com"


def deliver(load_fixture: LoadFixture, event_name: str, variant: str = "") -> WebhookEvent:
    """Parse the recorded payload for `event_name` as it would arrive."""
    raw_body = load_fixture(f"helpscout/webhooks/{event_name}{variant}.json")
    return parse_webhook_event({"X-HelpScout-Event": event_name}, raw_body)


def body(**payload: Any) -> bytes:
    """A JSON body as Help Scout would send it."""
    return json.dumps(payload).encode()


# --- the event table ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_name", "handling"),
    [
        ("convo.agent.reply.created", Handling.AGENT_REPLY),
        ("convo.created", Handling.CUSTOMER_MESSAGE),
        ("convo.customer.reply.created", Handling.CUSTOMER_MESSAGE),
        ("helpscout.test", Handling.TEST),
        ("convo.note.created", Handling.IGNORE),
        ("convo.assigned", Handling.IGNORE),
        ("customer.created", Handling.IGNORE),
        ("satisfaction.ratings", Handling.IGNORE),
        ("something.new", Handling.IGNORE),
        ("", Handling.IGNORE),
    ],
)
def test_handling_for(event_name: str, handling: Handling) -> None:
    assert handling_for(event_name) is handling


def test_handling_values_are_the_strings_jobs_use() -> None:
    assert set(Handling) == {
        "agent_reply",
        "customer_message",
        "conversation_deleted",
        "test",
        "ignore",
    }
    assert set(HANDLING_BY_EVENT.values()) == {
        Handling.AGENT_REPLY,
        Handling.CUSTOMER_MESSAGE,
        Handling.CONVERSATION_DELETED,
        Handling.TEST,
    }


# --- recorded payloads --------------------------------------------------------------------------


def test_agent_reply(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.agent.reply.created")

    assert event.event_name == "convo.agent.reply.created"
    assert event.handling is Handling.AGENT_REPLY
    assert event.conversation_id == 3120419377
    assert event.conversation_number == 4187
    assert event.mailbox_id == 101
    assert event.customer_email == RELAY
    assert event.thread_id == 8812004511  # the reply, not the customer thread below it
    assert event.thread is not None
    assert event.thread["type"] == "message"
    assert event.thread["createdBy"]["email"] == "sam.agent@seller.example"
    assert "replacement lid ships today" in event.thread["body"]
    assert event.payload == json.loads(
        load_fixture("helpscout/webhooks/convo.agent.reply.created.json")
    )


def test_agent_reply_with_phone_keeps_the_body_as_sent(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.agent.reply.created", ".with-phone")

    assert event.thread_id == 8812004511
    assert event.thread is not None
    assert "(555) 201-4477" in event.thread["body"]


def test_agent_reply_without_embedded_threads(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.agent.reply.created", ".without-threads")

    assert event.conversation_id == 3120419377
    assert event.thread_id is None  # the job fetches the threads
    assert event.thread is None


def test_new_conversation(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.created")

    assert event.handling is Handling.CUSTOMER_MESSAGE
    assert event.conversation_id == 3120419377
    assert event.conversation_number == 4187
    assert event.mailbox_id == 101
    assert event.customer_email == RELAY
    assert event.thread_id == 8812004503


def test_customer_reply_picks_the_newest_customer_thread(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.customer.reply.created")

    assert event.handling is Handling.CUSTOMER_MESSAGE
    assert event.thread_id == 8812004540
    assert event.thread is not None
    assert "rubber seal" in event.thread["body"]


def test_test_event(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "helpscout.test")

    assert event.handling is Handling.TEST
    assert event.conversation_id is None  # its "id" is not a conversation's
    assert event.payload == {"id": 123}


def test_header_name_in_any_case() -> None:
    raw_body = body(id=1)
    for headers in (
        {"x-helpscout-event": "convo.created"},
        Headers({"X-HELPSCOUT-EVENT": "convo.created"}),
    ):
        assert parse_webhook_event(headers, raw_body).event_name == "convo.created"


# --- choosing the thread an event is about ------------------------------------------------------


def thread(thread_id: int, thread_type: str, created_at: str, **fields: Any) -> dict[str, Any]:
    """An embedded thread with only the fields that choose it."""
    return {"id": thread_id, "type": thread_type, "createdAt": created_at, **fields}


def test_agent_reply_accepts_reply_as_the_thread_type() -> None:
    raw_body = body(id=1, _embedded={"threads": [thread(7, "reply", "2026-11-20T10:00:00Z")]})
    event = parse_webhook_event({"X-HelpScout-Event": "convo.agent.reply.created"}, raw_body)
    assert event.thread_id == 7


def test_agent_reply_skips_drafts_notes_and_customer_threads() -> None:
    threads = [
        thread(9, "message", "2026-11-20T12:00:00Z", state="draft"),
        thread(8, "note", "2026-11-20T11:00:00Z"),
        thread(7, "customer", "2026-11-20T10:30:00Z"),
        thread(6, "message", "2026-11-20T10:00:00Z", state="published"),
    ]
    raw_body = body(id=1, _embedded={"threads": threads})
    event = parse_webhook_event({"X-HelpScout-Event": "convo.agent.reply.created"}, raw_body)
    assert event.thread_id == 6


def test_newest_thread_does_not_depend_on_list_order() -> None:
    threads = [
        thread(6, "message", "2026-11-20T10:00:00Z"),
        thread(7, "message", "2026-11-20T11:00:00Z"),
    ]
    raw_body = body(id=1, _embedded={"threads": threads})
    event = parse_webhook_event({"X-HelpScout-Event": "convo.agent.reply.created"}, raw_body)
    assert event.thread_id == 7


def test_ignored_conversation_event_takes_the_newest_thread() -> None:
    threads = [
        thread(8, "note", "2026-11-20T11:00:00Z"),
        thread(7, "customer", "2026-11-20T10:00Z"),
    ]
    raw_body = body(id=5, mailboxId=101, _embedded={"threads": threads})
    event = parse_webhook_event({"X-HelpScout-Event": "convo.note.created"}, raw_body)
    assert (event.handling, event.conversation_id, event.thread_id) == (Handling.IGNORE, 5, 8)


@pytest.mark.parametrize(
    "embedded",
    [
        {"threads": []},
        {"threads": "not a list"},
        {"threads": [{"id": "x", "type": "message"}, "not a thread"]},
        "not an object",
    ],
)
def test_unusable_threads_give_no_thread_id(embedded: object) -> None:
    raw_body = body(id=1, _embedded=embedded)
    event = parse_webhook_event({"X-HelpScout-Event": "convo.agent.reply.created"}, raw_body)
    assert event.thread_id is None


# --- unreadable deliveries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "raw_body", "reason"),
    [
        ({}, b"{}", "X-HelpScout-Event header is missing"),
        ({"X-HelpScout-Event": "  "}, b"{}", "X-HelpScout-Event header is missing"),
        ({"X-HelpScout-Event": "convo.created"}, b"", "not valid JSON: Expecting value"),
        ({"X-HelpScout-Event": "convo.created"}, b'{"id": 1', "not valid JSON"),
        ({"X-HelpScout-Event": "convo.created"}, b"\xff\xfe{}", r"not UTF-8 \(byte 0xff at 0\)"),
        ({"X-HelpScout-Event": "convo.created"}, b"[1, 2]", "JSON array, expected an object"),
        ({"X-HelpScout-Event": "convo.created"}, b'"text"', "JSON string, expected an object"),
        ({"X-HelpScout-Event": "convo.created"}, b"null", "JSON null, expected an object"),
        ({"X-HelpScout-Event": "convo.created"}, b"12", "JSON number, expected an object"),
        ({"X-HelpScout-Event": "convo.created"}, b"1" * 5000, "too large or deep"),
        ({"X-HelpScout-Event": "convo.created"}, b"[" * 100_000, "not valid JSON|too large"),
        ({"X-HelpScout-Event": "helpscout.test"}, b"not json", "helpscout.test body is not valid"),
    ],
)
def test_malformed_payload_says_why(headers: dict[str, str], raw_body: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_webhook_event(headers, raw_body)


@pytest.mark.parametrize("event_name", ["convo.agent.reply.created", "convo.created"])
@pytest.mark.parametrize("conversation_id", [None, 0, -3, "abc", True, 1.5, {"id": 1}])
def test_handled_event_without_conversation_id_is_malformed(
    event_name: str, conversation_id: object
) -> None:
    raw_body = body(number=4, **({} if conversation_id is None else {"id": conversation_id}))
    with pytest.raises(MalformedPayload, match=f"{event_name} payload has no conversation id"):
        parse_webhook_event({"X-HelpScout-Event": event_name}, raw_body)


def test_ignored_events_need_no_conversation_id() -> None:
    for event_name in ("convo.assigned", "customer.created", "unknown.event"):
        event = parse_webhook_event({"X-HelpScout-Event": event_name}, body(name="x"))
        assert event.handling is Handling.IGNORE
        assert event.conversation_id is None


def test_customer_event_id_is_not_taken_for_a_conversation() -> None:
    event = parse_webhook_event({"X-HelpScout-Event": "customer.updated"}, body(id=881234567))
    assert event.conversation_id is None


def test_digit_string_ids_are_tolerated() -> None:
    raw_body = body(id="3120419377", number="4187", mailboxId="101")
    event = parse_webhook_event({"X-HelpScout-Event": "convo.created"}, raw_body)
    assert (event.conversation_id, event.conversation_number, event.mailbox_id) == (
        3120419377,
        4187,
        101,
    )


# --- delivery keys ------------------------------------------------------------------------------


def test_delivery_key_is_stable_across_redeliveries(load_fixture: LoadFixture) -> None:
    first = deliver(load_fixture, "convo.agent.reply.created")
    again = deliver(load_fixture, "convo.agent.reply.created")
    assert delivery_key(first) == delivery_key(again)
    assert delivery_key(first) == "helpscout-convo_agent_reply_created-c3120419377-t8812004511"


def test_delivery_key_tells_events_and_threads_apart(load_fixture: LoadFixture) -> None:
    keys = {
        delivery_key(deliver(load_fixture, "convo.agent.reply.created")),
        delivery_key(deliver(load_fixture, "convo.created")),
        delivery_key(deliver(load_fixture, "convo.customer.reply.created")),
    }
    assert len(keys) == 3


def test_delivery_key_without_thread_uses_the_body_hash(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.agent.reply.created", ".without-threads")
    key = delivery_key(event)
    assert key.startswith("helpscout-convo_agent_reply_created-c3120419377-b")
    other = parse_webhook_event(
        {"X-HelpScout-Event": "convo.agent.reply.created"}, body(id=3120419377)
    )
    assert delivery_key(other) != key


@pytest.mark.parametrize(
    "event_name", ["helpscout.test", "convo.custom-fields", "weird event/name?", "ünïcode"]
)
def test_delivery_key_is_a_valid_rq_job_id(event_name: str) -> None:
    from rq.job import JOB_ID_PATTERN

    event = parse_webhook_event({"X-HelpScout-Event": event_name}, body(id=1))
    assert JOB_ID_PATTERN.fullmatch(delivery_key(event))


# --- which conversations are Amazon's -----------------------------------------------------------


def test_amazon_by_mailbox_and_relay(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.agent.reply.created")
    assert is_amazon_conversation(event, AMAZON_MAILBOX_IDS)
    assert is_amazon_conversation(event.payload, AMAZON_MAILBOX_IDS)


def test_amazon_by_relay_address_alone(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.agent.reply.created")
    assert is_amazon_conversation(event, amazon_mailbox_ids=())


def test_amazon_by_mailbox_alone() -> None:
    payload = {"id": 1, "mailboxId": 202, "primaryCustomer": {"email": "pat@example.com"}}
    assert is_amazon_conversation(payload, AMAZON_MAILBOX_IDS)


def test_not_amazon(load_fixture: LoadFixture) -> None:
    event = deliver(load_fixture, "convo.agent.reply.created", ".non-amazon")
    assert event.customer_email == "pat@example.com"
    assert not is_amazon_conversation(event, AMAZON_MAILBOX_IDS)
    assert not is_amazon_conversation(event.payload, AMAZON_MAILBOX_IDS)


def test_look_alike_relay_domain_is_not_amazon() -> None:
    payload = {
        "id": 1,
        "mailboxId": 303,
        "primaryCustomer": {"email": "k7m2q9x4b1c8d3f@marketplace.amazon.com.evil.ru"},
    }
    assert not is_amazon_conversation(payload, AMAZON_MAILBOX_IDS)


def test_customer_email_falls_back_to_a_customer_creator() -> None:
    payload = {"id": 1, "createdBy": {"id": 9, "type": "customer", "email": RELAY}}
    assert is_amazon_conversation(payload, ())
    by_user = {"id": 1, "createdBy": {"id": 9, "type": "user", "email": RELAY}}
    assert not is_amazon_conversation(by_user, ())


def test_list_conversations_items(load_fixture: LoadFixture) -> None:
    page1 = json.loads(load_fixture("helpscout/api/list_conversations.page1.json"))
    page2 = json.loads(load_fixture("helpscout/api/list_conversations.page2.json"))
    items = page1["_embedded"]["conversations"] + page2["_embedded"]["conversations"]
    # By mailbox; by a .co.uk relay address with a case suffix in a non-Amazon mailbox; neither.
    assert [is_amazon_conversation(item, AMAZON_MAILBOX_IDS) for item in items] == [
        True,
        True,
        False,
    ]


@pytest.mark.parametrize("not_a_conversation", [None, "text", 42, ["mailboxId"]])
def test_anything_else_is_not_amazon(not_a_conversation: object) -> None:
    assert not is_amazon_conversation(not_a_conversation, AMAZON_MAILBOX_IDS)  # type: ignore[arg-type]
