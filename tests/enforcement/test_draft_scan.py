"""scan_drafts: exact Help Scout calls in flag and gate mode, once per draft content, the
watermark, failures that resume, and everything that is left alone.

Listing fixture: 3120419390 (compliant Send Later reply and draft, amz-guard's own note) then
3120419377 (a Send Later reply with a link and a PDF, Lee's draft with a phone number).
"""

from __future__ import annotations

import copy
import logging
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
from helpscout_app.enforcement.draft_scan import DraftScanResult, scan_drafts
from helpscout_app.enforcement.notes import NOTE_MARKER
from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.helpscout.errors import HelpScoutAPIError
from helpscout_app.settings import EnforcementMode, Settings
from helpscout_app.store.models import (
    AlertSent,
    ComplianceCheck,
    ComplianceIncident,
    Conversation,
    Thread,
)

if TYPE_CHECKING:
    from conftest import CallLog, FakeSlack, HelpScoutNotes

API_URL = "http://127.0.0.1:9/v2"
FLAGGED = 3120419377
COMPLIANT = 3120419390
SCHEDULED_ID = 8812004530
DRAFT_ID = 8812004522
NOW = datetime(2026, 11, 20, 13, 6, tzinfo=UTC)
LISTING = "/conversations?status=active&mailbox=101,202&sortField=modifiedAt&sortOrder=asc&page=1"
LINK = "https://secure.helpscout.net/conversation/3120419377/4187"

READS = [
    ("GET", LISTING),
    ("GET", f"/conversations/{COMPLIANT}/threads?page=1"),
    ("GET", f"/conversations/{FLAGGED}/threads?page=1"),
]
DRAFT_WRITES = [
    ("POST", f"/conversations/{FLAGGED}/notes"),
    ("GET", f"/conversations/{FLAGGED}"),  # the tags as they are, to keep them
    ("PUT", f"/conversations/{FLAGGED}/tags"),
]


@pytest.fixture
def helpscout_api(http: responses.RequestsMock, api_json: Callable[[str], Any]) -> None:
    """Help Scout as the fixture files describe it, answering every write."""
    http.get(f"{API_URL}/conversations", json=api_json("list_conversations.amazon-active.json"))
    http.get(
        f"{API_URL}/conversations/{COMPLIANT}/threads",
        json=api_json("list_threads.compliant-drafts.json"),
    )
    http.get(f"{API_URL}/conversations/{FLAGGED}/threads", json=api_json("list_threads.json"))
    http.post(f"{API_URL}/conversations/{FLAGGED}/notes", status=201)
    http.get(f"{API_URL}/conversations/{FLAGGED}", json=api_json("get_conversation.json"))
    http.put(f"{API_URL}/conversations/{FLAGGED}/tags", status=204)
    http.delete(f"{API_URL}/conversations/{FLAGGED}/threads/{SCHEDULED_ID}/schedule", status=204)


@pytest.fixture
def scan(
    helpscout: HelpScoutClient, store_session: Session, notifier: SlackNotifier, settings: Settings
) -> Callable[..., DraftScanResult]:
    """One pass; `mode` picks flag or gate, other keywords go to scan_drafts."""

    def run(mode: EnforcementMode = EnforcementMode.FLAG, **options: Any) -> DraftScanResult:
        arguments = {
            "client": helpscout,
            "session": store_session,
            "notifier": notifier,
            "settings": settings.model_copy(update={"enforcement_mode": mode}),
            "now": NOW,
            **options,
        }
        return scan_drafts(**arguments)

    return run


def relist_with_changes(http: responses.RequestsMock, api_json: Callable[[str], Any]) -> None:
    """Answer the next listings with 3120419377 changed again (a later `userUpdatedAt`)."""
    listing = api_json("list_conversations.amazon-active.json")
    listing["_embedded"]["conversations"][1]["userUpdatedAt"] = "2026-11-20T13:30:00Z"
    http.replace(responses.GET, f"{API_URL}/conversations", json=listing)


@pytest.mark.usefixtures("helpscout_api")
def test_flag_mode_notes_and_alerts_without_cancelling(
    scan: Callable[..., DraftScanResult],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    result = scan()

    assert result == DraftScanResult(
        conversations_seen=2,
        threads_checked=4,
        schedules_cancelled=0,
        drafts_flagged=2,
        alerts_sent=2,
    )
    assert helpscout_calls.made() == [
        *READS,
        ("POST", f"/conversations/{FLAGGED}/notes"),  # the Send Later reply: noted only
        *DRAFT_WRITES,
    ]
    schedule_note, draft_note = helpscout_calls.bodies("POST", f"/conversations/{FLAGGED}/notes")
    assert schedule_note["text"].startswith(
        f"<p><strong>{NOTE_MARKER}</strong> This Send Later reply by Sam Agent holds contact "
        "details or attachments Amazon does not allow, and it will go out as scheduled."
    )
    assert "<li>url: “www.seller-example.com/manuals” — " in schedule_note["text"]
    assert "Remove the attachments (kettle-manual.pdf)" in schedule_note["text"]
    assert draft_note["text"].startswith(
        f"<p><strong>{NOTE_MARKER}</strong> The draft reply by Lee Agent holds "
    )
    assert "Text me on [phone number removed] if it is missing." in draft_note["text"]
    assert helpscout_calls.bodies("PUT", f"/conversations/{FLAGGED}/tags") == [
        {"tags": ["amazon", "amazon-draft-blocked"]}
    ]
    assert [body["text"] for body in fake_slack.posted()] == [
        "[blocked-reply] Send Later reply by Sam Agent will send an Amazon buyer attachment, "
        f"url: Help Scout #4187 {LINK}, order 112-4839201-5512347",
        "[draft-flagged] Draft by Lee Agent holds phone: Help Scout #4187 "
        f"{LINK}, order 112-4839201-5512347",
    ]
    assert all(body["blocks"] for body in fake_slack.posted())

    checks = {c.thread_id: c for c in store_session.scalars(select(ComplianceCheck))}
    assert {tid: (c.source, c.blocked) for tid, c in checks.items()} == {
        8812004610: ("scheduled", False),
        8812004605: ("draft", False),
        SCHEDULED_ID: ("scheduled", True),
        DRAFT_ID: ("draft", True),
    }  # amz-guard's own note (8812004607) is never checked, nor sent replies
    incidents = {i.thread_id: i for i in store_session.scalars(select(ComplianceIncident))}
    assert incidents[SCHEDULED_ID].actions == ["note", "alerted"]
    assert incidents[DRAFT_ID].actions == ["note", "tagged", "alerted"]
    scheduled = store_session.get(Thread, SCHEDULED_ID)
    assert scheduled is not None
    assert scheduled.scheduled_for == datetime(2026, 11, 20, 13, 20, tzinfo=UTC)
    conversation = store_session.get(Conversation, FLAGGED)
    assert conversation is not None
    assert conversation.modified_at == datetime(2026, 11, 20, 13, 5, 12, tzinfo=UTC)


@pytest.mark.usefixtures("helpscout_api")
def test_gate_mode_cancels_the_blocked_schedule(
    scan: Callable[..., DraftScanResult],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    result = scan(EnforcementMode.GATE)

    assert (result.schedules_cancelled, result.drafts_flagged, result.alerts_sent) == (1, 1, 2)
    assert helpscout_calls.made() == [
        *READS,
        ("DELETE", f"/conversations/{FLAGGED}/threads/{SCHEDULED_ID}/schedule"),
        ("POST", f"/conversations/{FLAGGED}/notes"),
        *DRAFT_WRITES,
    ]
    schedule_note = helpscout_calls.bodies("POST", f"/conversations/{FLAGGED}/notes")[0]
    assert schedule_note["text"].startswith(
        f"<p><strong>{NOTE_MARKER}</strong> amz-guard cancelled this Send Later reply by Sam "
        "Agent: it would have sent the Amazon buyer contact details or attachments Amazon does "
        "not allow. It is a draft again and has not been sent."
    )
    assert fake_slack.posted()[0]["text"] == (
        "[blocked-reply] Send Later reply by Sam Agent cancelled: it would have sent an Amazon "
        f"buyer attachment, url: Help Scout #4187 {LINK}, order 112-4839201-5512347"
    )
    incident = store_session.scalars(
        select(ComplianceIncident).where(ComplianceIncident.thread_id == SCHEDULED_ID)
    ).one()
    assert incident.actions == ["schedule_cancelled", "note", "alerted"]


@pytest.mark.usefixtures("helpscout_api")
def test_a_second_pass_over_the_same_state_reads_only_the_listing(
    scan: Callable[..., DraftScanResult],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
) -> None:
    scan(EnforcementMode.GATE)
    calls_after_first_pass = len(helpscout_calls.made())

    second = scan(EnforcementMode.GATE)

    assert second == DraftScanResult(conversations_seen=2)
    # The watermark: the newest change stored (13:05:12) less the 10-minute overlap.
    assert helpscout_calls.made()[calls_after_first_pass:] == [
        (
            "GET",
            "/conversations?status=active&mailbox=101,202&modifiedSince=2026-11-20T12:55:12Z"
            "&sortField=modifiedAt&sortOrder=asc&page=1",
        )
    ]
    assert len(fake_slack.posted()) == 2


@pytest.mark.usefixtures("helpscout_api")
def test_unchanged_drafts_are_flagged_once_per_content(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    scan()
    relist_with_changes(http, api_json)
    calls_after_first_pass = len(helpscout_calls.made())

    second = scan()

    assert (second.threads_checked, second.drafts_flagged, second.alerts_sent) == (2, 0, 0)
    assert [
        call for call in helpscout_calls.made()[calls_after_first_pass:] if call[0] != "GET"
    ] == []
    assert len(fake_slack.posted()) == 2
    assert len(store_session.scalars(select(ComplianceCheck)).all()) == 4
    assert len(store_session.scalars(select(AlertSent)).all()) == 2


@pytest.mark.usefixtures("helpscout_api")
def test_an_edited_draft_is_flagged_again(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
) -> None:
    scan()
    relist_with_changes(http, api_json)
    threads = api_json("list_threads.json")
    threads["_embedded"]["threads"][1]["body"] = (
        "<div>Hi Jordan, or email lee@seller-example.com</div>"
    )
    http.replace(responses.GET, f"{API_URL}/conversations/{FLAGGED}/threads", json=threads)

    second = scan()

    assert (second.drafts_flagged, second.alerts_sent) == (1, 1)
    notes = helpscout_calls.bodies("POST", f"/conversations/{FLAGGED}/notes")
    assert len(notes) == 3
    assert "lee@seller-example.com" in notes[-1]["text"]
    assert fake_slack.posted()[-1]["text"].startswith(
        "[draft-flagged] Draft by Lee Agent holds email:"
    )


@pytest.mark.usefixtures("helpscout_api")
def test_gate_cancels_a_schedule_again_when_the_same_content_is_rescheduled(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
) -> None:
    scan(EnforcementMode.GATE)
    relist_with_changes(http, api_json)

    second = scan(EnforcementMode.GATE)

    assert (second.schedules_cancelled, second.alerts_sent) == (1, 0)
    deletes = [call for call in helpscout_calls.made() if call[0] == "DELETE"]
    assert len(deletes) == 2
    assert len(helpscout_calls.bodies("POST", f"/conversations/{FLAGGED}/notes")) == 2
    assert len(fake_slack.posted()) == 2


@pytest.mark.usefixtures("helpscout_api")
def test_a_draft_flagged_before_is_cancelled_with_its_own_alert_once_scheduled(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
) -> None:
    scan(EnforcementMode.GATE)
    relist_with_changes(http, api_json)
    threads = api_json("list_threads.json")
    lees_draft = threads["_embedded"]["threads"][1]
    lees_draft["scheduled"] = copy.deepcopy(threads["_embedded"]["threads"][0]["scheduled"])
    http.replace(responses.GET, f"{API_URL}/conversations/{FLAGGED}/threads", json=threads)
    http.delete(f"{API_URL}/conversations/{FLAGGED}/threads/{DRAFT_ID}/schedule", status=204)

    second = scan(EnforcementMode.GATE)

    assert (second.schedules_cancelled, second.alerts_sent) == (2, 1)
    assert ("DELETE", f"/conversations/{FLAGGED}/threads/{DRAFT_ID}/schedule") in (
        helpscout_calls.made()
    )
    assert fake_slack.posted()[-1]["text"].startswith(
        "[blocked-reply] Send Later reply by Lee Agent cancelled: it would have sent an Amazon "
        "buyer phone:"
    )


def test_a_schedule_that_is_gone_is_skipped_and_the_pass_goes_on(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http.get(f"{API_URL}/conversations", json=api_json("list_conversations.amazon-active.json"))
    http.get(
        f"{API_URL}/conversations/{COMPLIANT}/threads",
        json=api_json("list_threads.compliant-drafts.json"),
    )
    http.get(f"{API_URL}/conversations/{FLAGGED}/threads", json=api_json("list_threads.json"))
    http.delete(
        f"{API_URL}/conversations/{FLAGGED}/threads/{SCHEDULED_ID}/schedule",
        status=404,
        json={"logRef": "x", "message": "Thread is not scheduled"},
    )
    http.post(f"{API_URL}/conversations/{FLAGGED}/notes", status=201)
    http.get(f"{API_URL}/conversations/{FLAGGED}", json=api_json("get_conversation.json"))
    http.put(f"{API_URL}/conversations/{FLAGGED}/tags", status=204)

    with caplog.at_level(logging.WARNING, logger="helpscout_app.enforcement.draft_scan"):
        result = scan(EnforcementMode.GATE)

    assert (result.schedules_cancelled, result.drafts_flagged, result.alerts_sent) == (0, 1, 1)
    assert helpscout_calls.made()[3:] == [
        ("DELETE", f"/conversations/{FLAGGED}/threads/{SCHEDULED_ID}/schedule"),
        *DRAFT_WRITES,
    ]
    assert [body["text"][:16] for body in fake_slack.posted()] == ["[draft-flagged] "]
    assert "no longer scheduled" in caplog.text


@pytest.mark.usefixtures("helpscout_api")
def test_a_failed_alert_fails_the_pass_and_the_next_pass_finishes_the_work(
    scan: Callable[..., DraftScanResult],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
    store_session: Session,
) -> None:
    fake_slack.answer_next(500, "internal_error")

    with pytest.raises(AlertDeliveryError):
        scan()
    assert store_session.scalars(select(AlertSent)).all() == []
    flagged = store_session.get(Conversation, FLAGGED)
    assert flagged is not None and flagged.modified_at is None  # not finished: listed again
    calls_after_first_pass = len(helpscout_calls.made())

    retried = scan()

    assert (retried.drafts_flagged, retried.alerts_sent) == (1, 2)
    assert helpscout_calls.made()[calls_after_first_pass:] == [
        (
            "GET",
            "/conversations?status=active&mailbox=101,202&modifiedSince=2026-11-20T11:20:00Z"
            "&sortField=modifiedAt&sortOrder=asc&page=1",
        ),
        ("GET", f"/conversations/{FLAGGED}/threads?page=1"),  # 3120419390: done, skipped
        *DRAFT_WRITES,  # the Send Later reply's note was posted by the failed pass
    ]
    assert [body["text"][:16] for body in fake_slack.posted()] == [
        "[blocked-reply] ",  # refused
        "[blocked-reply] ",
        "[draft-flagged] ",
    ]


def test_a_note_posted_by_a_pass_that_never_heard_back_is_not_posted_again(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_notes: Callable[[int], HelpScoutNotes],
    helpscout_calls: CallLog,
    store_session: Session,
) -> None:
    http.get(f"{API_URL}/conversations", json=api_json("list_conversations.amazon-active.json"))
    http.get(
        f"{API_URL}/conversations/{COMPLIANT}/threads",
        json=api_json("list_threads.compliant-drafts.json"),
    )
    notes = helpscout_notes(FLAGGED)
    notes.answers.append(requests.ReadTimeout("read timed out"))  # stored, answer lost

    with pytest.raises(HelpScoutAPIError):
        scan()
    calls_after_first_pass = len(helpscout_calls.made())

    retried = scan()

    assert retried.drafts_flagged == 1  # the draft's; the Send Later reply's was found posted
    assert helpscout_calls.made()[calls_after_first_pass:] == [
        (
            "GET",
            "/conversations?status=active&mailbox=101,202&modifiedSince=2026-11-20T11:20:00Z"
            "&sortField=modifiedAt&sortOrder=asc&page=1",
        ),
        ("GET", f"/conversations/{FLAGGED}/threads?page=1"),  # the earlier try's note in it
        *DRAFT_WRITES,
    ]
    incidents = store_session.scalars(select(ComplianceIncident).order_by(ComplianceIncident.id))
    references = [f"amz-guard incident #{incident.id}" for incident in incidents]
    assert len(notes.posted) == len(references) == 2
    for note, reference in zip(notes.posted, references, strict=True):
        assert note.endswith(f"<p><small>{reference}</small></p>")


def test_other_mailboxes_and_conversations_are_left_alone(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    settings: Settings,
) -> None:
    listing = api_json("list_conversations.amazon-active.json")
    other = listing["_embedded"]["conversations"][1]
    other.update(mailboxId=303)
    other["primaryCustomer"]["email"] = other["createdBy"]["email"] = "pat@example.com"
    listing["_embedded"]["conversations"] = [other]
    http.get(f"{API_URL}/conversations", json=listing)

    assert scan() == DraftScanResult()
    assert helpscout_calls.made() == [("GET", LISTING)]


def test_without_amazon_mailboxes_there_is_nothing_to_scan(
    helpscout: HelpScoutClient,
    store_session: Session,
    settings: Settings,
    helpscout_calls: CallLog,
) -> None:
    result = scan_drafts(
        client=helpscout,
        session=store_session,
        notifier=None,
        settings=settings.model_copy(update={"amazon_mailbox_ids": ()}),
        now=NOW,
    )

    assert result.to_dict() == {
        "conversations_seen": 0,
        "threads_checked": 0,
        "schedules_cancelled": 0,
        "drafts_flagged": 0,
        "alerts_sent": 0,
    }
    assert helpscout_calls.made() == []


def test_since_overrides_the_stored_watermark(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    helpscout_calls: CallLog,
) -> None:
    http.get(f"{API_URL}/conversations", json={"_embedded": {"conversations": []}})

    scan(since=datetime(2026, 11, 20, 8, 0, tzinfo=UTC))

    assert helpscout_calls.made() == [
        (
            "GET",
            "/conversations?status=active&mailbox=101,202&modifiedSince=2026-11-20T08:00:00Z"
            "&sortField=modifiedAt&sortOrder=asc&page=1",
        )
    ]


@pytest.mark.usefixtures("helpscout_api")
def test_a_cancelled_schedule_seen_as_a_draft_is_not_alerted_again(
    scan: Callable[..., DraftScanResult],
    http: responses.RequestsMock,
    api_json: Callable[[str], Any],
    helpscout_calls: CallLog,
    fake_slack: FakeSlack,
) -> None:
    scan(EnforcementMode.GATE)
    relist_with_changes(http, api_json)
    threads = api_json("list_threads.json")
    del threads["_embedded"]["threads"][0]["scheduled"]  # what the cancel left: a draft
    http.replace(responses.GET, f"{API_URL}/conversations/{FLAGGED}/threads", json=threads)
    calls_after_first_pass = len(helpscout_calls.made())

    second = scan(EnforcementMode.GATE)

    assert (second.drafts_flagged, second.alerts_sent, second.schedules_cancelled) == (0, 0, 0)
    writes = [c for c in helpscout_calls.made()[calls_after_first_pass:] if c[0] != "GET"]
    assert writes == [("PUT", f"/conversations/{FLAGGED}/tags")]  # the draft tag, once
    assert len(fake_slack.posted()) == 2
