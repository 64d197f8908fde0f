"""Email addresses as written (`recognizers/email.py`), through `check()`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import Report, check
from helpscout_app.compliance.amazon_allowlist import AMAZON_RETAIL_DOMAINS

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""


CASES = [
    # catches
    pytest.param("Write to jane@acme.com today", [("email.address", "jane@acme.com")], id="plain"),
    pytest.param(
        "Write to jane+amz@acme.com today", [("email.address", "jane+amz@acme.com")], id="plus"
    ),
    pytest.param(
        "Write to jane+amz@mail.acme.co.uk today",
        [("email.address", "jane+amz@mail.acme.co.uk")],
        id="plus-on-a-subdomain",
    ),
    pytest.param(
        "Write to help@acme-gadgets.example.com today",
        [("email.address", "help@acme-gadgets.example.com")],
        id="hyphen-and-subdomains",
    ),
    pytest.param(
        "Write to Jane.Doe@Acme.COM today",
        [("email.address", "Jane.Doe@Acme.COM")],
        id="mixed-case",
    ),
    pytest.param(
        "Write to jane_doe-1@acme.io today",
        [("email.address", "jane_doe-1@acme.io")],
        id="underscore-digit-local-part",
    ),
    pytest.param(
        "Write to josé@exämple.de today", [("email.address", "josé@exämple.de")], id="unicode"
    ),
    pytest.param(
        "Write to müller@straße.de today", [("email.address", "müller@straße.de")], id="eszett"
    ),
    pytest.param(
        "Write to 用户@例子.中国 today", [("email.address", "用户@例子.中国")], id="unicode-tld"
    ),
    pytest.param(
        "Write to jane@xn--bcher-kva.de today",
        [("email.address", "jane@xn--bcher-kva.de")],
        id="punycode-domain",
    ),
    pytest.param(
        "Write to jane@[192.0.2.10] today",
        [("email.address", "jane@[192.0.2.10]")],
        id="ip-literal",
    ),
    pytest.param('Write to "jane@acme.com".', [("email.address", "jane@acme.com")], id="in-quotes"),
    pytest.param(
        "Write to <jane@acme.com> today", [("email.address", "jane@acme.com")], id="in-angles"
    ),
    pytest.param(
        "Write to jane@acme.com, thanks", [("email.address", "jane@acme.com")], id="before-comma"
    ),
    pytest.param(
        "Write to jane＠acme.com today",
        [("email.address", "jane＠acme.com")],
        id="fullwidth-at-sign",
    ),
    pytest.param(
        "Write to ＪＡＮＥ＠ＡＣＭＥ．ＣＯＭ today",
        [("email.address", "ＪＡＮＥ＠ＡＣＭＥ．ＣＯＭ")],
        id="all-fullwidth",
    ),
    pytest.param(
        "Write to jane\u200b@acme.com today",
        [("email.address", "jane\u200b@acme.com")],
        id="zero-width-before-at",
    ),
    pytest.param(
        "Write to jane@acme.com and bob@acme.co.uk today",
        [("email.address", "jane@acme.com"), ("email.address", "bob@acme.co.uk")],
        id="two-addresses",
    ),
    pytest.param(
        "Write to mailto:help@acme.com today",
        [("email.mailto", "mailto:help@acme.com")],
        id="mailto",
    ),
    pytest.param(
        "Write to MAILTO:help@acme.com today",
        [("email.mailto", "MAILTO:help@acme.com")],
        id="mailto-capitals",
    ),
    pytest.param(
        "Write to mailto:help@acme.com?subject=Order today",
        [("email.mailto", "mailto:help@acme.com")],
        id="mailto-with-subject",
    ),
    # -- look-alikes of Amazon's addresses are not Amazon's
    pytest.param(
        "Write to jane@amazon-help.com today",
        [("email.address", "jane@amazon-help.com")],
        id="amazon-hyphen-lookalike",
    ),
    pytest.param(
        "Write to jane@amazon.com.evil.io today",
        [("email.address", "jane@amazon.com.evil.io")],
        id="amazon-prefix-lookalike",
    ),
    pytest.param(
        "Write to abc@marketplace.amazon.com.evil.io today",
        [("email.address", "abc@marketplace.amazon.com.evil.io")],
        id="relay-prefix-lookalike",
    ),
    pytest.param(
        "Write to abc@marketplace-amazon.com today",
        [("email.address", "abc@marketplace-amazon.com")],
        id="relay-hyphen-lookalike",
    ),
    pytest.param(
        "Write to jane@amazonn.com today",
        [("email.address", "jane@amazonn.com")],
        id="amazon-typo-lookalike",
    ),
    # leaves alone
    # -- Amazon's own addresses
    pytest.param("Write to cs-reply@amazon.com today", [], id="amazon-cs-reply"),
    pytest.param("Write to donotreply@amazon.com today", [], id="amazon-donotreply"),
    pytest.param("Write to seller-notification@amazon.de today", [], id="amazon-de"),
    pytest.param("Write to help@amazon.co.jp today", [], id="amazon-co-jp"),
    pytest.param("Write to sz2y5ywh1qg1vhx@marketplace.amazon.com today", [], id="relay-com"),
    pytest.param(
        "Write to sz2y5ywh1qg1vhx+abc@marketplace.amazon.co.uk today", [], id="relay-plus-suffix"
    ),
    pytest.param("Write to abc@marketplace.amazon.de today", [], id="relay-de"),
    pytest.param("Write to abc@marketplace.amazon.com.mx today", [], id="relay-com-mx"),
    pytest.param("Write to ABC@MARKETPLACE.AMAZON.FR today", [], id="relay-capitals"),
    pytest.param(
        "Write to abc@marketplace.amazon.com.be today",
        [],
        id="relay-com-be",
    ),
    # -- things with an "@" that are not addresses
    pytest.param("Follow @acmehelp for updates", [], id="social-handle"),
    pytest.param("Email me at foo@bar please", [], id="no-public-suffix"),
    pytest.param("Use user@localhost locally", [], id="localhost"),
    pytest.param("Meet @ the store", [], id="lone-at"),
    pytest.param("5@10 each", [], id="price-per-unit"),
    pytest.param("Write to john.doe@ later", [], id="no-domain"),
    pytest.param("name@domain", [], id="no-dot"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_email_addresses(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected)


HTML_CASES = [
    # catches
    pytest.param(
        '<p><a href="mailto:help@acme.com">Email us</a></p>',
        [("email.mailto", "mailto:help@acme.com")],
        id="mailto-href-behind-innocent-text",
    ),
    pytest.param(
        '<p><a href="mailto:help@acme.com?subject=Order%20123">Email us</a></p>',
        [("email.mailto", "mailto:help@acme.com")],
        id="mailto-href-with-subject",
    ),
    pytest.param(
        "<p>jane&#64;acme.com</p>", [("email.address", "jane&#64;acme.com")], id="at-entity"
    ),
    pytest.param(
        "<p>jane&#x40;acme&#46;com</p>",
        [("email.address", "jane&#x40;acme&#46;com")],
        id="hex-at-and-dot-entities",
    ),
    pytest.param(
        "<p>jane&commat;acme.com</p>",
        [("email.address", "jane&commat;acme.com")],
        id="named-at-entity",
    ),
    pytest.param(
        "<p>jane<span>@</span>acme.com</p>",
        [("email.address", "jane<span>@</span>acme.com")],
        id="at-in-its-own-span",
    ),
    pytest.param(
        "<p>jane@<b>acme</b>.com</p>",
        [("email.address", "jane@<b>acme</b>.com")],
        id="domain-split-by-bold",
    ),
    pytest.param(
        "<p>Write to <!-- jane@acme.com --> us</p>",
        [("email.address", "jane@acme.com")],
        id="in-a-comment",
    ),
    pytest.param(
        '<p><a href="https://www.amazon.com" title="help@acme.com">x</a></p>',
        [("email.address", "help@acme.com")],
        id="in-a-title-attribute",
    ),
    # leaves alone
    pytest.param(
        '<p><a href="mailto:abc@marketplace.amazon.com">Reply</a></p>', [], id="mailto-relay"
    ),
    pytest.param("<p>Follow <b>@acmehelp</b></p>", [], id="handle-in-bold"),
]


@pytest.mark.parametrize(("text", "expected"), HTML_CASES)
def test_email_addresses_in_html(
    expect_findings: ExpectFindings, text: str, expected: list
) -> None:
    expect_findings(text, expected, html=True)


AMAZON_RETAIL = [
    domain
    for domain in sorted(AMAZON_RETAIL_DOMAINS)
]


@pytest.mark.parametrize("domain", AMAZON_RETAIL)
def test_amazon_and_relay_addresses_of_every_marketplace_are_allowed(domain: str) -> None:
    text = (
        f"Write to cs-reply@{domain}, 2xq8v1mz7kd4h9p@marketplace.{domain} or "
        f"2xq8v1mz7kd4h9p+reply@marketplace.{domain} today."
    )
    assert check(text).findings == []


@pytest.mark.parametrize("domain", sorted(AMAZON_RETAIL_DOMAINS))
def test_amazon_domain_inside_another_domain_is_not_amazons(domain: str) -> None:
    address = f"help@{domain}.evil.io"
    report = check(f"Write to {address} today.")
    assert [(f.rule, f.text) for f in report.findings] == [("email.address", address)]
