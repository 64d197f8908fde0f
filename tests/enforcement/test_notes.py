"""Notes: every blocking finding escaped, the redacted reply, the playbook warnings, the marker."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from helpscout_app.compliance import check
from helpscout_app.enforcement.notes import (
    NOTE_MARKER,
    blocked_schedule_note,
    draft_note,
    is_amz_guard_note,
    noncompliant_note,
)

LoadFixture = Callable[[str], bytes]

BODY = (
    '<div>Hi, the manual is on <a href="https://seller-example.com/m?a=1&amp;b=2">our site</a>. '
    "Text me on 555 201 4477 &lt;Lee&gt;. Please leave us seller feedback!</div>"
)


def test_draft_note_lists_findings_redacted_text_and_warnings() -> None:
    report = check(BODY, html=True, attachments=["manual<1>.pdf"])

    note = draft_note(report, agent_name="Lee <Agent>")

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

    note = blocked_schedule_note(report, cancelled=cancelled, agent_name="Sam")

    assert note.startswith(f"<p><strong>{NOTE_MARKER}</strong> {opening}")
    assert "<blockquote><div>Call [phone number removed]</div></blockquote>" in note


def test_noncompliant_note_without_an_agent_name() -> None:
    note = noncompliant_note(check("<p>help@seller-example.com</p>", html=True))

    assert note.startswith(f"<p><strong>{NOTE_MARKER}</strong> This reply went to the Amazon ")
    assert "Playbook reminders" not in note


def test_every_note_is_recognized_as_amz_guards_own() -> None:
    report = check("<div>Call 555 201 4477</div>", html=True)

    for text in (
        noncompliant_note(report),
        blocked_schedule_note(report, cancelled=True),
        draft_note(report),
    ):
        assert is_amz_guard_note({"type": "note", "body": text})


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
