"""Notes: every blocking finding escaped, the redacted reply, the playbook warnings, the marker,
and the incident reference a retry looks for."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpscout_app.compliance import check
from helpscout_app.enforcement.notes import (
    NOTE_MARKER,
    blocked_schedule_note,
    draft_note,
    holds_incident_note,
    incident_reference,
    is_amz_guard_note,
    noncompliant_note,
    noted_incident,
)

LoadFixture = Callable[[str], bytes]

BODY = (
    '<div>Hi, the manual is on <a href="https://seller-example.com/m?a=1&amp;b=2">our site</a>. '
    "Text me on 555 201 4477 &lt;Lee&gt;. Please leave us seller feedback!</div>"
)


def test_draft_note_lists_findings_redacted_text_and_warnings() -> None:
    report = check(BODY, html=True, attachments=["manual<1>.pdf"])

    note = draft_note(report, incident_id=42, agent_name="Lee <Agent>")

    assert note == (
        f"<p><strong>{NOTE_MARKER}</strong> The draft reply by Lee &lt;Agent&gt; holds contact "
        "details or attachments Amazon does not allow. Change it as below before you send "
        "it.</p>"
        "<p><strong>Not allowed:</strong></p><ul>"
        "<li>url: “https://seller-example.com/m?a=1&amp;b=2” — Link hidden in the HTML (a href): "
        "an external site.</li>"  # &amp; once: the finding quotes the source, unescaped here
        "<li>phone: “555 201 4477” — Phone number: Amazon blocks replies that give the buyer a "
        "number to call.</li>"
        "<li>attachment: “manual&lt;1&gt;.pdf” — Attachment: the playbook sends no attachments "
        "to Amazon buyers.</li></ul>"
        "<p><strong>What to send instead</strong> (contact details replaced):</p>"
        f"<blockquote>{report.redacted}</blockquote>"
        "<p>Remove the attachments (manual&lt;1&gt;.pdf): send none to Amazon buyers.</p>"
        "<p><strong>Playbook reminders:</strong></p><ul>"
        "<li>policy: “our site” — Marketing: promotions, coupons and other products are banned "
        "in buyer messages.</li>"
        '<li>policy: “seller feedback” — The words "seller feedback": the playbook uses '
        "Amazon's review request instead.</li></ul>"
        "<p><small>amz-guard incident #42</small></p>"
    )
    assert "[link removed]" in report.redacted and "[phone number removed]" in report.redacted


@pytest.mark.parametrize(
    ("cancelled", "opening"),
    [
        (True, "amz-guard cancelled this Send Later reply by Sam: it would have sent the Amazon "),
        (False, "This Send Later reply by Sam holds contact details or attachments Amazon does "),
    ],
)
def test_blocked_schedule_note_says_whether_it_was_cancelled(cancelled: bool, opening: str) -> None:
    report = check("<div>Call 555 201 4477</div>", html=True)

    note = blocked_schedule_note(report, incident_id=7, cancelled=cancelled, agent_name="Sam")

    assert note.startswith(f"<p><strong>{NOTE_MARKER}</strong> {opening}")
    assert "<blockquote><div>Call [phone number removed]</div></blockquote>" in note


def test_noncompliant_note_without_an_agent_name() -> None:
    note = noncompliant_note(check("<p>help@seller-example.com</p>", html=True), incident_id=7)

    assert note.startswith(f"<p><strong>{NOTE_MARKER}</strong> This reply went to the Amazon ")
    assert "Playbook reminders" not in note


def test_every_note_is_recognized_as_amz_guards_own() -> None:
    report = check("<div>Call 555 201 4477</div>", html=True)

    for text in (
        noncompliant_note(report, incident_id=3),
        blocked_schedule_note(report, incident_id=3, cancelled=True),
        draft_note(report, incident_id=3),
    ):
        assert is_amz_guard_note({"type": "note", "body": text})
        assert noted_incident({"type": "note", "body": text}) == 3


def test_recorded_note_fixture_is_recognized(load_fixture: LoadFixture) -> None:
    payload = json.loads(load_fixture("helpscout/webhooks/convo.note.created.amz-guard.json"))
    note, reply, message = payload["_embedded"]["threads"]

    assert is_amz_guard_note(note)
    assert not is_amz_guard_note(reply)
    assert not is_amz_guard_note(message)


@pytest.mark.parametrize(
    "thread",
    [
        {"type": "note", "body": "Replacement sent as order 114-7720193-0012345."},
        {"type": "message", "body": f"<p>{NOTE_MARKER} in a reply is not a note</p>"},
        {"type": "note"},
        {"type": "note", "body": None},
    ],
)
def test_other_threads_are_not_amz_guards(thread: dict) -> None:
    assert not is_amz_guard_note(thread)


@given(
    incident_id=st.integers(min_value=1, max_value=2**63 - 1),
    reply=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200),
)
def test_a_note_names_its_own_incident_whatever_the_reply_quotes(
    incident_id: int, reply: str
) -> None:
    """The reply the note quotes may hold any text, another reference too: the note's own
    reference, last, is the one read back."""
    quoted = f"<div>{reply} {incident_reference(incident_id + 1)}</div>"
    note = draft_note(check(quoted + " call 555 201 4477", html=True), incident_id=incident_id)

    assert noted_incident({"type": "note", "body": note}) == incident_id


def test_a_conversation_holds_the_note_of_its_incident_only() -> None:
    note = noncompliant_note(check("<div>Call 555 201 4477</div>", html=True), incident_id=42)
    threads = [
        {"type": "customer", "body": f"<p>{NOTE_MARKER} {incident_reference(4)}</p>"},
        {"type": "note", "body": note},
    ]

    assert holds_incident_note(threads, 42)
    assert not holds_incident_note(threads, 4)  # quoted in a customer thread: not a note
    assert not holds_incident_note(threads, 420)
    assert not holds_incident_note([], 42)


def test_a_note_whose_markup_help_scout_rewrote_still_names_its_incident() -> None:
    rewritten = f"<div>{NOTE_MARKER} …</div><div>amz-guard incident&nbsp;#42</div>"

    assert noted_incident({"type": "note", "body": rewritten}) == 42
    kept = f"<div>{NOTE_MARKER} …</div><div><span>amz-guard incident #42</span></div>"
    assert noted_incident({"type": "note", "body": kept}) == 42
