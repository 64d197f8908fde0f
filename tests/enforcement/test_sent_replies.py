"""enforce_sent_reply: the exact Help Scout calls, Slack posts and rows for a sent reply, once.

Help Scout is `responses` with the fixture files; Slack is the fake server; the store is a
migrated SQLite file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import requests
import responses
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.alerts.errors import AlertDeliveryError
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.compliance import check as compliance_check
from helpscout_app.enforcement.notes import NOTE_MARKER
from helpscout_app.enforcement.sent_replies import EnforcementOutcome, enforce_sent_reply
from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.helpscout.errors import HelpScoutAPIError
from helpscout_app.settings import Settings
from helpscout_app.store.compliance_checks import (
    add_incident_action,
    body_hash,
    record_check,
    record_incident,
)
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import (
    AlertSent,
    CheckSource,
    ComplianceCheck,
    ComplianceIncident,
    Conversation,
    IncidentAction,
    IncidentStage,
    Thread,
)

if TYPE_CHECKING:
    from conftest import CallLog, FakeSlack, HelpScoutNotes

CONVERSATION_ID = 3120419377
CONVERSATION_PATH = f"/conversations/{CONVERSATION_ID}"
API_URL = "http://127.0.0.1:9/v2"
REPLY_ID = 8812004511
NOW = datetime(2026, 11, 20, 10, 5, tzinfo=UTC)
LINK = "https://secure.helpscout.net/conversation/3120419377/4187"


@pytest.fixture
def run(
    helpscout: HelpScoutClient,
    store_session: Session,
    notifier: SlackNotifier,
    settings: Settings,
) -> Callable[..., EnforcementOutcome]:
    """enforce_sent_reply with the test's client, session, notifier and settings."""

    def run_once(payload: Any, thread_id: int | None = REPLY_ID, **overrides: Any) -> Any:
        arguments = {
            "client": helpscout,
            "session": store_session,
            "notifier": notifier,
            "settings": settings,
            "conversation_id": CONVERSATION_ID,
            "thread_id": thread_id,
            "payload": payload,
            "now": NOW,
            **overrides,
        }
        return enforce_sent_reply(**arguments)

    return run_once


@pytest.fixture
def helpscout_writes(http: responses.RequestsMock, api_json: Callable[[str], Any]) -> None:
    """Help Scout's answers to a note, a tag read and a tag write."""
    http.post(
        f"{API_URL}{CONVERSATION_PATH}/notes", status=201, headers={"Resource-ID": "8812004599"}
    )
    http.get(f"{API_URL}{CONVERSATION_PATH}", json=api_json("get_conversation.json"))
    http.put(f"{API_URL}{CONVERSATION_PATH}/tags", status=204)


WRITES = [
    ("POST", f"{CONVERSATION_PATH}/notes"),
    ("GET", CONVERSATION_PATH),  # the tags as they are, to keep them
    ("PUT", f"{CONVERSATION_PATH}/tags"),
]


@pytest.mark.usefixtures("helpscout_writes")
def test_a_reply_with_a_phone_number_is_noted_tagged_and_alerted(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    payload = webhook_json("convo.agent.reply.created.with-phone.json")

    outcome = run(payload)

    assert outcome == EnforcementOutcome(
        checked=True, blocked=True, actions=["note", "tagged", "alerted"]
    )
    assert helpscout_calls.made() == WRITES
    [note] = helpscout_calls.bodies("POST", f"{CONVERSATION_PATH}/notes")
    assert list(note) == ["text"]
    text = note["text"]
    assert text.startswith(f"<p><strong>{NOTE_MARKER}</strong> This reply by Sam Agent went ")
    assert (
        "<li>phone: “(555) 201-4477” — Phone number: Amazon blocks replies that give the buyer "
        "a number to call.</li>"
    ) in text
    assert "Please call us at [phone number removed] or write to help@seller.example" in text
    assert helpscout_calls.bodies("PUT", f"{CONVERSATION_PATH}/tags") == [
        {"tags": ["amazon", "amazon-noncompliant"]}
    ]
    [posted] = fake_slack.posted()
    assert posted["text"] == (
        "[noncompliant-sent] Sam Agent sent an Amazon buyer a reply with phone: "
        f"Help Scout #4187 {LINK}, order 112-4839201-5512347"
    )
    assert posted["blocks"][0]["text"]["text"].startswith("*[noncompliant-sent]* Sam Agent")

    conversation = store_session.get(Conversation, CONVERSATION_ID)
    assert conversation is not None
    assert (
        conversation.is_amazon,
        conversation.number,
        conversation.mailbox_id,
        conversation.order_ids,
        conversation.relay_base_address,
        conversation.tags,
        conversation.last_agent_reply_at,
        conversation.modified_at,
    ) == (
        True,
        4187,
        101,
        ["112-4839201-5512347"],
        "k7m2q9x4b1c8d3f@marketplace.amazon.com",
        ["amazon"],
        datetime(2026, 11, 20, 10, 2, 41, tzinfo=UTC),
        None,  # only passes that list conversations write it (the draft scan's watermark)
    )
    reply_body = payload["_embedded"]["threads"][0]["body"]
    thread = store_session.get(Thread, REPLY_ID)
    assert thread is not None
    assert (thread.type, thread.state, thread.created_by_user_id, thread.body_hash) == (
        "message",
        "published",
        531200,
        body_hash(reply_body),
    )
    [check] = store_session.scalars(select(ComplianceCheck))
    assert (check.source, check.blocked, check.finding_kinds) == ("reply", True, ["phone"])
    [incident] = store_session.scalars(select(ComplianceIncident))
    assert (incident.agent_id, incident.agent_name, incident.actions) == (
        531200,
        "Sam Agent",
        ["note", "tagged", "alerted"],
    )
    [alert] = store_session.scalars(select(AlertSent))
    assert alert.dedupe_key == f"noncompliant-sent:conv:{CONVERSATION_ID}:thread:{REPLY_ID}"


@pytest.mark.usefixtures("helpscout_writes")
def test_a_redelivery_does_nothing_twice(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    payload = webhook_json("convo.agent.reply.created.with-phone.json")
    run(payload)

    again = run(payload)

    assert again == EnforcementOutcome(checked=True, blocked=True, actions=[])
    assert helpscout_calls.made() == WRITES
    assert len(fake_slack.posted()) == 1
    assert len(store_session.scalars(select(ComplianceCheck)).all()) == 1


@pytest.mark.usefixtures("helpscout_writes")
def test_a_failed_alert_is_retried_without_repeating_the_note_or_the_tag(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    payload = webhook_json("convo.agent.reply.created.with-phone.json")
    fake_slack.answer_next(500, "internal_error")

    with pytest.raises(AlertDeliveryError):
        run(payload)
    assert store_session.scalars(select(AlertSent)).all() == []
    [incident] = store_session.scalars(select(ComplianceIncident))
    assert incident.actions == ["note", "tagged"]

    retried = run(payload)

    assert retried.actions == ["alerted"]
    assert helpscout_calls.made() == WRITES
    assert [body["text"][:20] for body in fake_slack.posted()] == ["[noncompliant-sent] "] * 2
    assert len(store_session.scalars(select(AlertSent)).all()) == 1


def test_a_failed_tag_write_is_retried_without_a_second_note(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
) -> None:
    http.post(f"{API_URL}{CONVERSATION_PATH}/notes", status=201)
    http.get(f"{API_URL}{CONVERSATION_PATH}", json=api_json("get_conversation.json"))
    http.put(
        f"{API_URL}{CONVERSATION_PATH}/tags", status=400, json=api_json("error.bad_request.json")
    )
    http.put(f"{API_URL}{CONVERSATION_PATH}/tags", status=204)
    payload = webhook_json("convo.agent.reply.created.with-phone.json")

    with pytest.raises(HelpScoutAPIError):
        run(payload)
    assert fake_slack.posted() == []

    assert run(payload).actions == ["tagged", "alerted"]
    assert [call for call in helpscout_calls.made() if call[0] == "POST"] == [
        ("POST", f"{CONVERSATION_PATH}/notes")
    ]
    assert len(fake_slack.posted()) == 1


def test_a_note_posted_by_a_try_that_never_heard_back_is_not_posted_again(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_notes: Callable[[int], HelpScoutNotes],
    helpscout_calls: CallLog,
    store_session: Session,
) -> None:
    """Help Scout stored the note but its answer was lost: the POST is not repeated by the
    client, the job fails, and its retry finds the note by its incident reference."""
    notes = helpscout_notes(CONVERSATION_ID)
    notes.answers.append(requests.ReadTimeout("read timed out"))
    payload = webhook_json("convo.agent.reply.created.with-phone.json")

    with pytest.raises(HelpScoutAPIError):
        run(payload)
    [incident] = store_session.scalars(select(ComplianceIncident))
    assert (incident.actions, incident.attempts) == ([], ["note"])

    assert run(payload).actions == ["tagged", "alerted"]
    assert len(notes.posted) == 1
    assert f"amz-guard incident #{incident.id}" in notes.posted[0]
    assert helpscout_calls.made() == [
        ("POST", f"{CONVERSATION_PATH}/notes"),
        ("GET", f"{CONVERSATION_PATH}/threads?page=1"),
        *WRITES[1:],
    ]
    store_session.refresh(incident)
    assert incident.actions == ["note", "tagged", "alerted"]


def test_a_note_help_scout_refused_is_posted_by_the_retry(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_notes: Callable[[int], HelpScoutNotes],
    helpscout_calls: CallLog,
    store_session: Session,
) -> None:
    notes = helpscout_notes(CONVERSATION_ID)
    notes.answers.append(500)  # nothing stored; the client does not repeat a POST
    payload = webhook_json("convo.agent.reply.created.with-phone.json")

    with pytest.raises(HelpScoutAPIError):
        run(payload)
    assert notes.posted == []

    assert run(payload).actions == ["note", "tagged", "alerted"]
    assert len(notes.posted) == 1
    assert helpscout_calls.made() == [
        ("POST", f"{CONVERSATION_PATH}/notes"),
        ("GET", f"{CONVERSATION_PATH}/threads?page=1"),  # not there: posted again
        *WRITES,
    ]


def test_a_compliant_reply_is_recorded_and_left_alone(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    outcome = run(webhook_json("convo.agent.reply.created.json"))

    assert outcome == EnforcementOutcome(checked=True, blocked=False, actions=[])
    assert helpscout_calls.made() == []
    assert fake_slack.posted() == []
    [check] = store_session.scalars(select(ComplianceCheck))
    assert (check.thread_id, check.blocked, check.findings) == (REPLY_ID, False, [])
    assert store_session.scalars(select(ComplianceIncident)).all() == []


def test_amazons_own_phone_number_is_allowed(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
) -> None:
    payload = webhook_json("convo.agent.reply.created.json")
    payload["_embedded"]["threads"][0]["body"] = (
        "<div>Hi Jordan, Amazon customer service can help too: +1-888-280-4331.</div>"
    )

    assert run(payload).blocked is False
    assert helpscout_calls.made() == []


def test_a_non_amazon_conversation_is_not_checked(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    store_session: Session,
) -> None:
    payload = webhook_json("convo.agent.reply.created.non-amazon.json")
    payload["_embedded"]["threads"][0]["body"] = "<div>Call us on (555) 201-4477.</div>"

    outcome = run(payload, conversation_id=3120419400)

    assert outcome == EnforcementOutcome(checked=False, blocked=False, actions=[])
    assert helpscout_calls.made() == []
    assert store_session.scalars(select(Conversation)).all() == []


def test_amz_guards_own_note_is_ignored(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    store_session: Session,
) -> None:
    outcome = run(webhook_json("convo.note.created.amz-guard.json"), thread_id=8812004515)

    assert outcome.checked is False
    assert helpscout_calls.made() == []
    assert store_session.scalars(select(ComplianceCheck)).all() == []


def test_a_draft_is_left_to_the_draft_scan(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    helpscout_calls: CallLog,
) -> None:
    payload = webhook_json("convo.agent.reply.created.with-phone.json")
    payload["_embedded"]["threads"][0]["state"] = "draft"

    assert run(payload).checked is False
    assert helpscout_calls.made() == []


def test_without_embedded_threads_the_conversation_is_fetched(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    api_json: Callable[[str], Any],
    http: responses.RequestsMock,
    helpscout_calls: CallLog,
) -> None:
    http.get(f"{API_URL}{CONVERSATION_PATH}", json=api_json("get_conversation.json"))

    outcome = run(webhook_json("convo.agent.reply.created.without-threads.json"))

    assert outcome == EnforcementOutcome(checked=True, blocked=False, actions=[])
    assert helpscout_calls.made() == [("GET", f"{CONVERSATION_PATH}?embed=threads")]


def test_a_fetched_reply_is_checked_with_its_attachments(
    run: Callable[..., EnforcementOutcome],
    api_json: Callable[[str], Any],
    http: responses.RequestsMock,
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
) -> None:
    http.get(
        f"{API_URL}{CONVERSATION_PATH}",
        json=api_json("get_conversation.with-attachment.json"),
        match=[responses.matchers.query_param_matcher({"embed": "threads"})],
    )
    http.post(f"{API_URL}{CONVERSATION_PATH}/notes", status=201)
    http.get(f"{API_URL}{CONVERSATION_PATH}", json=api_json("get_conversation.json"))
    http.put(f"{API_URL}{CONVERSATION_PATH}/tags", status=204)

    outcome = run(payload=None, thread_id=None)

    assert outcome == EnforcementOutcome(
        checked=True, blocked=True, actions=["note", "tagged", "alerted"]
    )
    assert helpscout_calls.made() == [("GET", f"{CONVERSATION_PATH}?embed=threads"), *WRITES]
    [note] = helpscout_calls.bodies("POST", f"{CONVERSATION_PATH}/notes")
    assert "<li>attachment: “return-label.pdf” — " in note["text"]
    assert "Remove the attachments (return-label.pdf)" in note["text"]
    assert "<blockquote>" not in note["text"]  # nothing to redact in the text itself
    [posted] = fake_slack.posted()
    assert posted["text"].startswith("[noncompliant-sent] Sam Agent sent an Amazon buyer a reply ")
    assert " with attachment: " in posted["text"]


def test_an_older_reply_does_not_move_the_last_reply_time_back(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    store_session: Session,
) -> None:
    newer = webhook_json("convo.agent.reply.created.json")
    older = copy.deepcopy(newer)
    newer["_embedded"]["threads"][0]["createdAt"] = "2026-11-20T12:00:00Z"
    newer["_embedded"]["threads"][0]["id"] = 8812004599

    run(newer, thread_id=8812004599)
    run(older)

    conversation = store_session.get(Conversation, CONVERSATION_ID, populate_existing=True)
    assert conversation is not None
    assert conversation.last_agent_reply_at == datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_a_draft_flagged_before_and_sent_unchanged_is_acted_on_as_sent(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    """The draft's incident had its note, tag and alert; the sending gets its own incident,
    each of its actions done once, however often the event comes."""
    payload = webhook_json("convo.agent.reply.created.with-phone.json")
    reply = payload["_embedded"]["threads"][0]
    check, _ = record_check(
        store_session,
        conversation_id=CONVERSATION_ID,
        thread_id=REPLY_ID,
        body_hash=body_hash(reply["body"]),
        source=CheckSource.DRAFT,
        blocked=True,
        findings=[f.to_dict() for f in compliance_check(reply["body"], html=True).findings],
    )
    draft_incident, _ = record_incident(store_session, check)
    for action in (IncidentAction.NOTE, IncidentAction.TAGGED, IncidentAction.ALERTED):
        add_incident_action(store_session, draft_incident, action)
    store_session.commit()
    http.post(f"{API_URL}{CONVERSATION_PATH}/notes", status=201)
    http.get(f"{API_URL}{CONVERSATION_PATH}", json=api_json("get_conversation.json"))
    http.put(f"{API_URL}{CONVERSATION_PATH}/tags", status=204)

    outcome = run(payload)
    again = run(payload)

    assert outcome == EnforcementOutcome(
        checked=True, blocked=True, actions=["note", "tagged", "alerted"]
    )
    assert again == EnforcementOutcome(checked=True, blocked=True, actions=[])
    assert helpscout_calls.made() == [
        ("POST", f"{CONVERSATION_PATH}/notes"),
        ("GET", CONVERSATION_PATH),
        ("PUT", f"{CONVERSATION_PATH}/tags"),
    ]
    [posted] = fake_slack.posted()
    assert posted["text"].startswith("[noncompliant-sent] Sam Agent sent an Amazon buyer ")
    incidents = store_session.scalars(
        select(ComplianceIncident).order_by(ComplianceIncident.id)
    ).all()
    assert [(i.check_id, i.stage) for i in incidents] == [
        (check.id, IncidentStage.UNSENT),
        (check.id, IncidentStage.SENT),
    ]
    sent = incidents[1]
    assert sorted(sent.actions) == ["alerted", "note", "tagged"]
    [note] = helpscout_calls.bodies("POST", f"{CONVERSATION_PATH}/notes")
    assert f"amz-guard incident #{sent.id}" in note["text"]


def test_a_sent_reply_stops_the_clock_and_an_auto_reply_does_not(
    run: Callable[..., EnforcementOutcome],
    webhook_json: Callable[[str], Any],
    store_session: Session,
    settings: Settings,
) -> None:
    payload = webhook_json("convo.agent.reply.created.json")
    reply = payload["_embedded"]["threads"][0]
    upsert_conversation(store_session, CONVERSATION_ID, is_amazon=True, mailbox_id=101)
    upsert_thread(
        store_session,
        1,
        CONVERSATION_ID,
        thread_type="customer",
        state="published",
        created_by_kind="customer",
        created_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    )
    store_session.commit()
    auto = copy.deepcopy(payload)
    auto["_embedded"]["threads"][0].update(id=8812004598, body="<p>Automatic reply: we got it</p>")
    marked = settings.model_copy(update={"auto_reply_markers": ("automatic reply",)})

    run(auto, thread_id=8812004598, settings=marked)
    waiting = store_session.get(Conversation, CONVERSATION_ID, populate_existing=True)
    assert waiting is not None
    assert waiting.due_at == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert waiting.last_agent_reply_at is None
    assert reply["createdAt"] > "2026-11-20T09:00:00Z"

    run(payload, settings=marked)

    answered = store_session.get(Conversation, CONVERSATION_ID, populate_existing=True)
    assert answered is not None and (answered.due_at, answered.waiting_since) == (None, None)
