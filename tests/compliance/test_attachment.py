"""Attachments on a reply to an Amazon buyer (`recognizers/attachment.py`), through `check()`."""

from __future__ import annotations

import pytest

from helpscout_app.compliance import CheckOptions, Kind, Severity, check

REPLY = "Hi Jane, the file you asked for is attached. Best, Sam"
ORDER_DOCUMENTS_ALLOWED = CheckOptions(allow_order_documents=True)

DEFAULT_CASES = [
    # catches: by default the playbook blocks every attachment
    pytest.param(("catalog.pdf",), [("attachment.any", "catalog.pdf")], id="catalog"),
    pytest.param(("photo.jpg",), [("attachment.any", "photo.jpg")], id="photo"),
    pytest.param(("setup.exe",), [("attachment.any", "setup.exe")], id="executable"),
    pytest.param(("invoice-123.pdf",), [("attachment.any", "invoice-123.pdf")], id="invoice"),
    pytest.param(("user-manual.pdf",), [("attachment.any", "user-manual.pdf")], id="manual"),
    pytest.param(
        ("setup.exe", "driver-pack-1.0.4.zip"),
        [("attachment.any", "setup.exe"), ("attachment.any", "driver-pack-1.0.4.zip")],
        id="two-files-in-order",
    ),
    # leaves alone
    pytest.param((), [], id="no-attachments"),
]


@pytest.mark.parametrize(("names", "expected"), DEFAULT_CASES)
def test_attachments_block_by_default(names: tuple[str, ...], expected: list) -> None:
    report = check(REPLY, attachments=names)
    assert [(f.rule, f.text) for f in report.findings] == expected
    assert report.blocked is bool(expected)


ORDER_DOCUMENT_CASES = [
    # catches: only instructions, warranty information and invoices pass, as documents
    pytest.param("catalog.pdf", "attachment.not_permitted", id="catalog"),
    pytest.param("photo.jpg", "attachment.not_permitted", id="photo"),
    pytest.param("setup.exe", "attachment.not_permitted", id="executable"),
    pytest.param("invoice.exe", "attachment.not_permitted", id="invoice-named-executable"),
    pytest.param("manual.zip", "attachment.not_permitted", id="manual-in-an-archive"),
    pytest.param("guide", "attachment.not_permitted", id="no-extension"),
    pytest.param("coupon-10-off.pdf", "attachment.not_permitted", id="coupon"),
    # leaves alone
    pytest.param("invoice-123.pdf", None, id="invoice-pdf"),
    pytest.param("INVOICE.PDF", None, id="invoice-capitals"),
    pytest.param("Warranty card.png", None, id="warranty-image"),
    pytest.param("user-manual.pdf", None, id="manual-pdf"),
    pytest.param("instructions.docx", None, id="instructions-docx"),
    pytest.param("Rechnung.pdf", None, id="german-invoice"),
]


@pytest.mark.parametrize(("name", "rule"), ORDER_DOCUMENT_CASES)
def test_order_documents_option(name: str, rule: str | None) -> None:
    report = check(REPLY, attachments=[name], options=ORDER_DOCUMENTS_ALLOWED)
    expected = [] if rule is None else [(rule, name)]
    assert [(f.rule, f.text) for f in report.findings] == expected
    assert report.blocked is (rule is not None)


def test_attachment_finding_sits_after_the_text_with_the_file_name() -> None:
    report = check(REPLY, attachments=["catalog.pdf"])
    [finding] = report.findings
    assert finding.kind is Kind.ATTACHMENT
    assert finding.severity is Severity.BLOCK
    assert finding.start == finding.end == len(REPLY)
    assert finding.text == "catalog.pdf"
    assert finding.message


def test_attachment_findings_come_after_text_findings() -> None:
    text = "Call 555-123-4567 for help."
    report = check(text, attachments=["catalog.pdf"])
    assert [(f.kind, f.text) for f in report.findings] == [
        (Kind.PHONE, "555-123-4567"),
        (Kind.ATTACHMENT, "catalog.pdf"),
    ]


def test_attachments_in_html_sit_after_the_html_source() -> None:
    html = "<p>Hi Jane,</p><p>the manual is attached.</p>"
    report = check(html, html=True, attachments=["manual.pdf"])
    [finding] = report.findings
    assert finding.start == finding.end == len(html)


def test_a_single_name_passed_as_a_string_is_one_attachment() -> None:
    report = check(REPLY, attachments="manual.pdf")
    assert [f.text for f in report.findings] == ["manual.pdf"]


def test_redaction_leaves_the_text_alone_for_attachments() -> None:
    report = check(REPLY, attachments=["catalog.pdf"])
    assert report.blocked
    assert report.redacted == REPLY


def test_a_file_name_mentioned_in_the_text_is_not_an_attachment() -> None:
    assert not check("The manual.pdf in the box explains it.").blocked
