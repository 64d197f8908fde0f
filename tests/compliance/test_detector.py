"""`check()` and its report: the contract in DESIGN.md ("Detector") that other code relies on."""

from __future__ import annotations

import json
import re

import pytest

from helpscout_app.compliance import CheckOptions, Finding, Kind, Report, Severity, check

FINDING_KEYS = {"kind", "severity", "start", "end", "text", "rule", "message"}
REPORT_KEYS = {"blocked", "findings", "redacted"}

MIXED_REPLY = (
    "Hi Jane, please ship it back to us. Call 555-123-4567, email jane@acme.com "
    "or visit acme.com. Thanks 😊"
)


# -- the report ------------------------------------------------------------------------------


def test_compliant_reply_gets_an_empty_report() -> None:
    text = "Hi Jane, your refund for order 112-1234567-1234567 is on its way. Best, Sam"
    report = check(text)
    assert isinstance(report, Report)
    assert report.blocked is False
    assert report.findings == []
    assert report.redacted == text


def test_empty_text_gets_an_empty_report() -> None:
    report = check("")
    assert report.blocked is False
    assert report.findings == []
    assert report.redacted == ""


def test_findings_come_in_text_order_with_their_kinds_and_severities() -> None:
    report = check(MIXED_REPLY)
    assert report.blocked is True
    assert [(f.kind, f.severity, f.rule, f.text) for f in report.findings] == [
        (Kind.POLICY, Severity.WARN, "policy.return_instructions", "ship it back"),
        (Kind.PHONE, Severity.BLOCK, "phone.national", "555-123-4567"),
        (Kind.EMAIL, Severity.BLOCK, "email.address", "jane@acme.com"),
        (Kind.URL, Severity.BLOCK, "url.domain", "acme.com"),
        (Kind.POLICY, Severity.WARN, "policy.emoji", "😊"),
    ]
    starts = [f.start for f in report.findings]
    assert starts == sorted(starts)


def test_every_finding_indexes_the_text_and_has_a_one_line_message() -> None:
    report = check(MIXED_REPLY)
    for finding in report.findings:
        assert isinstance(finding, Finding)
        assert MIXED_REPLY[finding.start : finding.end] == finding.text
        assert finding.message
        assert "\n" not in finding.message
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", finding.rule)
        assert finding.rule.split(".")[0] == finding.kind.value


def test_contract_vocabularies_equal_their_strings() -> None:
    assert {kind.value for kind in Kind} == {"phone", "email", "url", "attachment", "policy"}
    assert {severity.value for severity in Severity} == {"block", "warn"}
    assert Kind.PHONE == "phone"
    assert Severity.BLOCK == "block"


def test_blocked_means_at_least_one_blocking_finding() -> None:
    warning_only = check("Please leave us seller feedback.")
    assert warning_only.findings
    assert warning_only.blocked is False
    assert check("Call 555-123-4567").blocked is True


def test_to_dict_is_json_ready_with_the_documented_keys() -> None:
    report = check(MIXED_REPLY, attachments=["catalog.pdf"])
    as_dict = report.to_dict()
    assert set(as_dict) == REPORT_KEYS
    assert as_dict["blocked"] is True
    assert as_dict["redacted"] == report.redacted
    assert len(as_dict["findings"]) == len(report.findings)
    for finding_dict, finding in zip(as_dict["findings"], report.findings, strict=True):
        assert set(finding_dict) == FINDING_KEYS
        assert finding_dict == {
            "kind": finding.kind.value,
            "severity": finding.severity.value,
            "start": finding.start,
            "end": finding.end,
            "text": finding.text,
            "rule": finding.rule,
            "message": finding.message,
        }
        assert type(finding_dict["kind"]) is str
        assert type(finding_dict["severity"]) is str
    assert json.loads(json.dumps(as_dict)) == as_dict


def test_to_dict_of_a_compliant_reply() -> None:
    assert check("Thanks for your order!").to_dict() == {
        "blocked": False,
        "findings": [],
        "redacted": "Thanks for your order!",
    }


def test_same_text_same_report() -> None:
    assert check(MIXED_REPLY).to_dict() == check(MIXED_REPLY).to_dict()


# -- redaction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        pytest.param("Call 555-123-4567 today.", "Call [phone number removed] today.", id="phone"),
        pytest.param(
            "Write to jane@acme.com today.", "Write to [email address removed] today.", id="email"
        ),
        pytest.param("See https://acme.com/help today.", "See [link removed] today.", id="link"),
        pytest.param(
            "Write to jane at acme dot com today.",
            "Write to [email address removed] today.",
            id="obfuscated-email",
        ),
        pytest.param(
            "Call 555-one-two-three-4567 now.", "Call [phone number removed] now.", id="spelled"
        ),
        pytest.param(
            MIXED_REPLY,
            "Hi Jane, please ship it back to us. Call [phone number removed], email "
            "[email address removed] or visit [link removed]. Thanks 😊",
            id="all-kinds-warnings-kept",
        ),
    ],
)
def test_redacted_replaces_each_blocking_span_with_a_placeholder(text: str, redacted: str) -> None:
    report = check(text)
    assert report.redacted == redacted
    assert not check(report.redacted).blocked


def test_redacted_html_replaces_attribute_values_in_the_source() -> None:
    html = '<p>Visit <a href="https://acme.com/help">our help page</a>.</p>'
    report = check(html, html=True)
    assert report.redacted == '<p>Visit <a href="[link removed]">our help page</a>.</p>'
    assert not check(report.redacted, html=True).blocked


def test_redacted_html_keeps_the_markup() -> None:
    html = '<p>Call <b>555</b>-123-4567 or <a href="https://acme.com">here</a></p>'
    report = check(html, html=True)
    assert report.blocked
    tags = re.compile(r"</?[A-Za-z]+")
    assert tags.findall(report.redacted) == tags.findall(html)


def test_redaction_needs_no_second_pass_by_the_caller() -> None:
    """Two halves of a number joined by redaction are caught by the detector's own re-check."""
    text = "Call 555-123-4567 or 555-987-6543 or jane@acme.com."
    redacted = check(text).redacted
    assert check(redacted).redacted == redacted
    assert not check(redacted).blocked


# -- attachments -----------------------------------------------------------------------------


def test_attachment_findings_sit_at_the_end_of_the_text_with_the_file_name() -> None:
    text = "Hi Jane, the manual is attached."
    report = check(text, attachments=["manual.pdf", "photo.jpg"])
    assert [(f.kind, f.start, f.end, f.text) for f in report.findings] == [
        (Kind.ATTACHMENT, len(text), len(text), "manual.pdf"),
        (Kind.ATTACHMENT, len(text), len(text), "photo.jpg"),
    ]
    assert report.blocked
    assert report.redacted == text


def test_attachments_come_after_text_findings_and_warnings() -> None:
    text = "Please ship it back. Call 555-123-4567."
    report = check(text, attachments=["label.pdf"])
    assert [f.kind for f in report.findings] == [Kind.POLICY, Kind.PHONE, Kind.ATTACHMENT]


# -- HTML mode -------------------------------------------------------------------------------


def test_html_offsets_index_the_html_source() -> None:
    html = (
        "<p>Hi Jane,</p>\n<p>Call <b>555</b>-123-4567 or write to jane&#64;acme.com.</p>\n"
        '<p><a href="https://acme.com/help">Help</a></p>'
    )
    report = check(html, html=True)
    assert [(f.rule, f.text) for f in report.findings] == [
        ("phone.national", "555</b>-123-4567"),
        ("email.address", "jane&#64;acme.com"),
        ("url.html_attribute", "https://acme.com/help"),
    ]
    for finding in report.findings:
        assert html[finding.start : finding.end] == finding.text


def test_html_mode_reads_entities_and_plain_mode_does_not() -> None:
    text = "<p>acme&#46;com</p>"
    assert [f.text for f in check(text, html=True).findings] == ["acme&#46;com"]
    assert check(text).findings == []


def test_plain_mode_reads_markup_as_text() -> None:
    """A plain-text reply that happens to contain markup still has its links found."""
    text = 'See <a href="https://acme.com">here</a>'
    assert [(f.rule, f.text) for f in check(text).findings] == [("url.scheme", "https://acme.com")]


def test_html_visible_text_and_attribute_findings_are_ordered_by_source_offset() -> None:
    html = '<p><a href="https://acme.com/x">Call 555-123-4567</a></p>'
    report = check(html, html=True)
    assert [f.rule for f in report.findings] == ["url.html_attribute", "phone.national"]


# -- overlapping forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "merged"),
    [
        pytest.param(
            "See https://www.acme.com/x today",
            "url.scheme",
            "https://www.acme.com/x",
            id="scheme-www-and-domain",
        ),
        pytest.param(
            "Write mailto:help@acme.com now",
            "email.mailto",
            "mailto:help@acme.com",
            id="mailto-and-domain",
        ),
        pytest.param(
            "Write jane at acme dot com now",
            "email.obfuscated",
            "jane at acme dot com",
            id="obfuscated-email-and-obfuscated-domain",
        ),
        pytest.param(
            "Message wa.me/15551234567 now",
            "url.social_profile",
            "wa.me/15551234567",
            id="link-carrying-a-phone-number",
        ),
        pytest.param(
            "Call 555-one-two-three-4567 now",
            "phone.spelled_digits",
            "555-one-two-three-4567",
            id="spelled-and-digit-groups",
        ),
    ],
)
def test_overlapping_forms_are_one_finding(text: str, rule: str, merged: str) -> None:
    report = check(text)
    assert [(f.rule, f.text) for f in report.findings] == [(rule, merged)]


# -- options and input -----------------------------------------------------------------------


def test_default_options_allow_amazons_number_and_block_attachments() -> None:
    assert check("Amazon: 1-888-280-4331") == check("Amazon: 1-888-280-4331", options=None)
    assert CheckOptions().allow_order_documents is False
    assert check("Hi", attachments=["invoice.pdf"]).blocked


@pytest.mark.parametrize(
    "not_text",
    [
        pytest.param(b"Call 555-123-4567", id="bytes"),
        pytest.param(None, id="none"),
        pytest.param(5551234567, id="int"),
        pytest.param(["Call 555-123-4567"], id="list"),
    ],
)
def test_anything_but_a_string_is_a_type_error(not_text: object) -> None:
    with pytest.raises(TypeError, match="str"):
        check(not_text)  # type: ignore[arg-type]


def test_package_exports_what_design_names() -> None:
    import helpscout_app.compliance as compliance

    assert {"check", "CheckOptions", "Finding", "Kind", "Report", "Severity"} <= set(
        compliance.__all__
    )
