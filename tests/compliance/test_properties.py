"""Properties of `check()` that hold for any input (hypothesis).

`check()` never raises on a string, its offsets always index the string it was given,
redaction leaves nothing blocking and is stable, Amazon's own links are never flagged, and a
compliant reply with a contact item put into it is always blocked at that item.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpscout_app.compliance import Kind, Report, Severity, check
from helpscout_app.compliance.amazon_allowlist import (
    AMAZON_RETAIL_DOMAINS,
    AMAZON_SHORT_LINK_DOMAINS,
)

CORPUS_PATH = Path(__file__).parent / "corpus" / "replies.jsonl"

PROPERTY_SETTINGS = settings(deadline=None, max_examples=200)
AMAZON_DOMAIN_SETTINGS = settings(deadline=None, max_examples=40)
"""Per marketplace domain: 31 domains, so about 1,200 links in all."""

# -- strategies ------------------------------------------------------------------------------

HTML_PIECES = st.sampled_from(
    [
        *"""<p> </p> <b> </b> <br> <span> </span> <div> </div> <a <img /> > < <!-- -->
        <style> </style> href=" src=' "> = " ' &nbsp; &#46; &#64; &amp; &#x2e; & ; # &#
        . .. @ @@ // :// http https www mailto: tel: com co.uk amazon acme [at] (dot)
        O - ( ) +""".split(),
        *(" dot ", " at ", " ", "\n", "\t", "\u200b", "\uff10", "\u0660"),
    ]
)
"""Markup, entities and the pieces of addresses and numbers."""
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=12)
HTML_ISH = st.lists(st.one_of(HTML_PIECES, DIGITS, st.text(max_size=6)), max_size=40).map("".join)
"""Text that looks like HTML, entities, numbers and addresses, mixed up."""

URL_PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~"
URL_PATH = st.lists(
    st.text(alphabet=URL_PATH_CHARS, min_size=1, max_size=12), min_size=0, max_size=4
).map(lambda parts: "".join("/" + part for part in parts))
URL_QUERY = st.one_of(
    st.just(""),
    st.lists(
        st.tuples(
            st.text(alphabet=URL_PATH_CHARS, min_size=1, max_size=8),
            st.text(alphabet=URL_PATH_CHARS, min_size=0, max_size=12),
        ),
        min_size=1,
        max_size=3,
    ).map(lambda pairs: "?" + "&".join(f"{key}={value}" for key, value in pairs)),
)


@st.composite
def amazon_links(draw: st.DrawFn, domain: str) -> str:
    """A link to `domain` (Amazon's), as an agent might write it: any subdomain, path, query."""
    subdomain = draw(st.sampled_from(["", "www.", "smile.", "sellercentral.", "m."]))
    scheme = draw(st.sampled_from(["", "https://", "http://", "//"]))
    if scheme == "" and subdomain == "" and draw(st.booleans()):
        domain = domain.upper() if draw(st.booleans()) else domain.capitalize()
    return scheme + subdomain + domain + draw(URL_PATH) + draw(URL_QUERY)


AMAZON_DOMAINS = [
    domain
    for domain in sorted(AMAZON_RETAIL_DOMAINS | AMAZON_SHORT_LINK_DOMAINS)
]


PHONE_ITEMS = (
    "(555) 123-4567",
    "555-123-4567",
    "555.123.4567",
    "+1 555 123 4567",
    "1-800-555-0199",
    "(555) 123-4567 ext. 12",
    "+44 20 7946 0958",
    "020 7946 0958",
    "+49 30 12345678",
    "0049 30 1234567",
    "01 23 45 67 89",
    "+33 6 12 34 56 78",
    "+34 912 345 678",
    "+39 06 1234 5678",
    "+31 20 123 4567",
    "+61 2 9876 5432",
    "+91 98765 43210",
    "+81 3-1234-5678",
    "+52 55 1234 5678",
    "+55 11 91234-5678",
    "+971 4 123 4567",
    "5 5 5 1 2 3 4 5 6 7",
    "555\u200b123\u200b4567",
    "\uff15\uff15\uff15-\uff11\uff12\uff13-\uff14\uff15\uff16\uff17",
    "\u0665\u0665\u0665-\u0661\u0662\u0663-\u0664\u0665\u0666\u0667",
    "2O6-266-1OOO",
    "five five five one two three four five six seven",
    "555-one-two-three-4567",
    "1-800-FLOWERS",
)
EMAIL_ITEMS = (
    "jane@acme.com",
    "jane+amz@mail.acme.co.uk",
    "jos\u00e9@ex\u00e4mple.de",
    "mailto:help@acme.com",
    "jane at acme dot com",
    "jane [at] acme [dot] com",
    "jane(at)acme.com",
    "jane {at} acme.co.uk",
    "JANE AT ACME DOT COM",
    "jane @ acme . com",
    "jane\uff20acme.com",
)
LINK_ITEMS = (
    "https://acme.com/help",
    "http://acme.com",
    "www.acme.biz",
    "acme-support.co.uk/returns?x=1",
    "acme.com",
    "acme.com:8080/x",
    "//cdn.acme.net/p.gif",
    "http://192.0.2.10:8080/",
    "bit.ly/3abc",
    "instagram.com/acme",
    "acme dot com",
    "acme[.]com",
    "acme (dot) com",
    "hxxps://acme.com/x",
    "https :// acme.com",
    "amazon-help.com",
    "amazon.com.evil.io",
    "https://amazon.com@evil.com/x",
    "evil.com/amazon",
)
CONTACT_ITEMS = PHONE_ITEMS + EMAIL_ITEMS + LINK_ITEMS
"""Contact items in many formats; each must block wherever it stands in a reply."""

FRAMINGS = ("{}", "{}.", "({})", "Details: {}", "{} - thanks")
"""How an injected item sits on its own line."""

COMPLIANT_TEXT_REPLIES = tuple(
    reply["text"]
    for reply in map(json.loads, CORPUS_PATH.read_text(encoding="utf-8").splitlines())
    if not reply["blocked"] and reply["format"] == "text"
)
"""The corpus's compliant plain-text replies (read at import: strategies need them)."""

PHONE_AFTER_LOOKALIKE_WORD_AT_LINE_END = (
    "Hi Clara,\n\nIt ships today, and I'll update this thread with the tracking.\n\nRegards,\nHenry"
)
"""Compliant reply-0194, shortened: its "tracking." ends a sentence before the number."""


def _assert_offsets_index_input(text: str, report: Report) -> None:
    for finding in report.findings:
        if finding.kind is Kind.ATTACHMENT:
            assert finding.start == finding.end == len(text)
            continue
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
    starts = [finding.start for finding in report.findings]
    assert starts == sorted(starts)


# -- never crashes, offsets index the input --------------------------------------------------


@PROPERTY_SETTINGS
@given(text=st.text())
def test_any_unicode_text_gets_a_report_whose_offsets_index_it(text: str) -> None:
    report = check(text)
    assert isinstance(report.blocked, bool)
    _assert_offsets_index_input(text, report)


@PROPERTY_SETTINGS
@given(text=st.one_of(HTML_ISH, st.text()))
def test_any_html_ish_text_gets_a_report_whose_offsets_index_it(text: str) -> None:
    for html in (False, True):
        report = check(text, html=html)
        _assert_offsets_index_input(text, report)


@PROPERTY_SETTINGS
@given(text=HTML_ISH, names=st.lists(st.text(min_size=1, max_size=20), max_size=3))
def test_attachments_sit_after_the_text_with_their_names(text: str, names: list[str]) -> None:
    report = check(text, html=True, attachments=names)
    attachments = [f for f in report.findings if f.kind is Kind.ATTACHMENT]
    assert [f.text for f in attachments] == names
    _assert_offsets_index_input(text, report)


# -- redaction -------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(text=st.one_of(HTML_ISH, st.text()), html=st.booleans())
def test_redaction_leaves_nothing_blocking_and_is_stable(text: str, html: bool) -> None:
    redacted = check(text, html=html).redacted
    again = check(redacted, html=html)
    assert not again.blocked, again.findings
    assert again.redacted == redacted


# -- Amazon's own links ----------------------------------------------------------------------


@pytest.mark.parametrize("domain", AMAZON_DOMAINS)
def test_amazon_links_are_never_flagged(domain: str) -> None:
    @AMAZON_DOMAIN_SETTINGS
    @given(
        link=amazon_links(domain),
        before=st.sampled_from(["", "See ", "Open ", "(", "link: "]),
        html=st.booleans(),
    )
    def link_is_allowed(link: str, before: str, html: bool) -> None:
        if html:
            text = f'<p>Hi Jane, <a href="{link}">your order</a> and <img src="{link}"></p>'
        else:
            text = f"Hi Jane, {before}{link} for your order details."
        report = check(text, html=html)
        assert not report.blocked, report.findings

    link_is_allowed()


# -- a compliant reply with a contact item put into it ----------------------------------------


def _inject(reply: str, item: str, line: int, framing: str) -> tuple[str, int, int]:
    """The reply with the item on a line of its own, and where the item now stands."""
    lines = reply.split("\n")
    line %= len(lines) + 1
    injected = framing.format(item)
    before = "\n".join(lines[:line])
    text = "\n".join([*lines[:line], injected, *lines[line:]])
    item_start = len(before) + (1 if line else 0) + injected.index(item)
    return text, item_start, item_start + len(item)


def _assert_blocked_at_item(reply: str, item: str, line: int, framing: str) -> None:
    text, item_start, item_end = _inject(reply, item, line, framing)
    assert text[item_start:item_end] == item
    report = check(text)
    assert any(
        f.severity is Severity.BLOCK and f.start < item_end and item_start < f.end
        for f in report.findings
    ), f"{item!r} not caught in {text!r}: {report.findings}"


@PROPERTY_SETTINGS
@example(reply=PHONE_AFTER_LOOKALIKE_WORD_AT_LINE_END, item="(555) 123-4567", line=3, framing="{}")
@given(
    reply=st.sampled_from(COMPLIANT_TEXT_REPLIES),
    item=st.sampled_from(PHONE_ITEMS),
    line=st.integers(0, 50),
    framing=st.sampled_from(FRAMINGS),
)
def test_compliant_reply_with_a_phone_number_is_blocked_there(
    reply: str, item: str, line: int, framing: str
) -> None:
    _assert_blocked_at_item(reply, item, line, framing)


@PROPERTY_SETTINGS
@given(
    reply=st.sampled_from(COMPLIANT_TEXT_REPLIES),
    item=st.sampled_from(PHONE_ITEMS),
    framing=st.sampled_from(FRAMINGS),
)
def test_compliant_reply_opening_with_a_phone_number_is_blocked_there(
    reply: str, item: str, framing: str
) -> None:
    """The property above with nothing before the number, so it runs while that one fails."""
    _assert_blocked_at_item(reply, item, 0, framing)


@PROPERTY_SETTINGS
@given(
    reply=st.sampled_from(COMPLIANT_TEXT_REPLIES),
    item=st.sampled_from(EMAIL_ITEMS),
    line=st.integers(0, 50),
    framing=st.sampled_from(FRAMINGS),
)
def test_compliant_reply_with_an_email_address_is_blocked_there(
    reply: str, item: str, line: int, framing: str
) -> None:
    _assert_blocked_at_item(reply, item, line, framing)


@PROPERTY_SETTINGS
@given(
    reply=st.sampled_from(COMPLIANT_TEXT_REPLIES),
    item=st.sampled_from(LINK_ITEMS),
    line=st.integers(0, 50),
    framing=st.sampled_from(FRAMINGS),
)
def test_compliant_reply_with_a_link_is_blocked_there(
    reply: str, item: str, line: int, framing: str
) -> None:
    _assert_blocked_at_item(reply, item, line, framing)


@pytest.mark.parametrize("item", CONTACT_ITEMS)
def test_every_injected_item_blocks_on_its_own(item: str) -> None:
    """Guards the lists above: each item is a contact item the detector catches alone."""
    assert check(f"Hi, {item} Thanks").blocked
