"""The private notes amz-guard adds to a conversation, and how it knows its own notes again.

Help Scout notes are HTML. Each note lists every blocking finding (kind, the offending text,
the detector's one-line message), the reply as it should read with those removed (the
detector's redacted body, kept as HTML so the agent can copy it), and the playbook warnings.

Every note starts with `NOTE_MARKER`, visible text, since Help Scout may rewrite a note's markup
but keeps its words: `is_amz_guard_note` finds it, so amz-guard's notes (which quote the very
contact details they report) never trigger another round (reference/helpscout.md §2.7).

Every note ends with its incident's reference (`incident_reference`): a job that posted a note
and lost its record of it before it could write it down (the database went away) finds the
note on the conversation by that reference and does not post it twice (`holds_incident_note`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from helpscout_app.compliance import Finding, Kind, Report
from helpscout_app.enforcement.threads import is_note, thread_body

NOTE_MARKER = "[amz-guard]"
"""Opens every note amz-guard writes; a note holding it is amz-guard's own."""

NOT_ALLOWED = "contact details or attachments Amazon does not allow"

_REFERENCE = re.compile(r"amz-guard\s+incident\s+#(\d+)\b")  # \s: Help Scout may write &nbsp;


def noncompliant_note(report: Report, *, incident_id: int, agent_name: str | None = None) -> str:
    """The note on a reply that already went to the buyer with what Amazon does not allow."""
    return _note(
        incident_id,
        f"This reply{_by(agent_name)} went to the Amazon buyer with {NOT_ALLOWED}. It cannot "
        "be recalled: check the buyer's Amazon messages, and reply again only if needed.",
        report,
        redacted_title="What the reply should have said",
    )


def blocked_schedule_note(
    report: Report, *, incident_id: int, cancelled: bool, agent_name: str | None = None
) -> str:
    """The note on a Send Later reply Amazon would refuse; `cancelled` when the gate held it."""
    if cancelled:
        headline = (
            f"amz-guard cancelled this Send Later reply{_by(agent_name)}: it would have sent "
            f"the Amazon buyer {NOT_ALLOWED}. It is a draft again and has not been sent. "
            "Change it as below, then schedule it again."
        )
    else:
        headline = (
            f"This Send Later reply{_by(agent_name)} holds {NOT_ALLOWED}, and it will go out "
            "as scheduled. Change it as below before then."
        )
    return _note(incident_id, headline, report, redacted_title="What to send instead")


def draft_note(report: Report, *, incident_id: int, agent_name: str | None = None) -> str:
    """The note on a draft reply Amazon would refuse, before it is sent."""
    return _note(
        incident_id,
        f"The draft reply{_by(agent_name)} holds {NOT_ALLOWED}. Change it as below before "
        "you send it.",
        report,
        redacted_title="What to send instead",
    )


def is_amz_guard_note(thread: Mapping[str, Any]) -> bool:
    """True when the thread is a note amz-guard wrote (it holds `NOTE_MARKER`)."""
    return is_note(thread) and NOTE_MARKER in html.unescape(thread_body(thread))


def incident_reference(incident_id: int) -> str:
    """The line that closes an incident's note: for the agent and manager to quote, and for
    `holds_incident_note` to find."""
    return f"amz-guard incident #{incident_id}"


def noted_incident(thread: Mapping[str, Any]) -> int | None:
    """The incident an amz-guard note reports (its last reference), None for any other thread.

    The last one: a reference quoted earlier in the note (in the reply it reports) is not the
    note's own."""
    if not is_amz_guard_note(thread):
        return None
    references = _REFERENCE.findall(html.unescape(thread_body(thread)))
    return int(references[-1]) if references else None


def holds_incident_note(threads: Iterable[Mapping[str, Any]], incident_id: int) -> bool:
    """True when one of the conversation's `threads` is amz-guard's note on `incident_id`."""
    return any(noted_incident(thread) == incident_id for thread in threads)


def _note(incident_id: int, headline: str, report: Report, *, redacted_title: str) -> str:
    """Marker and headline, the findings, the redacted reply, the playbook warnings, and the
    incident's reference."""
    parts = [
        f"<p><strong>{html.escape(NOTE_MARKER)}</strong> {_text(headline)}</p>",
        "<p><strong>Not allowed:</strong></p>",
        _finding_list(report.blocking),
    ]
    attachments = [f for f in report.blocking if f.kind is Kind.ATTACHMENT]
    if any(f.kind is not Kind.ATTACHMENT for f in report.blocking):
        parts += [
            f"<p><strong>{_text(redacted_title)}</strong> (contact details replaced):</p>",
            f"<blockquote>{report.redacted}</blockquote>",
        ]
    if attachments:
        names = ", ".join(_text(f.text) for f in attachments)
        parts.append(f"<p>Remove the attachments ({names}): send none to Amazon buyers.</p>")
    if report.warnings:
        parts += ["<p><strong>Playbook reminders:</strong></p>", _finding_list(report.warnings)]
    parts.append(f"<p><small>{_text(incident_reference(incident_id))}</small></p>")
    return "".join(parts)


def _finding_list(findings: list[Finding]) -> str:
    """An HTML list: the kind, the offending text (escaped again), the detector's message."""
    items = "".join(
        f"<li>{_text(str(f.kind))}: “{_text(_shown(f))}” — {_text(f.message)}</li>"
        for f in findings
    )
    return f"<ul>{items}</ul>"


def _shown(finding: Finding) -> str:
    """The offending text as the agent sees it: findings quote the HTML source (`&amp;`), an
    attachment finding quotes a file name."""
    return finding.text if finding.kind is Kind.ATTACHMENT else html.unescape(finding.text)


def _by(agent_name: str | None) -> str:
    """The " by Sam Agent" of a sentence, or nothing when the author is not known."""
    return f" by {agent_name}" if agent_name else ""


def _text(text: str) -> str:
    """Text for an HTML text node: `&`, `<` and `>` escaped."""
    return html.escape(text, quote=False)
