"""Web links: scheme, www., bare-domain, protocol-relative and IP URLs (`recognizers/url.py`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import Report, check
from helpscout_app.compliance.amazon_allowlist import (
    AMAZON_RETAIL_DOMAINS,
    AMAZON_SHORT_LINK_DOMAINS,
)

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""


CASES = [
    # catches
    # -- scheme URLs
    pytest.param(
        "See https://acme.com/help today", [("url.scheme", "https://acme.com/help")], id="https"
    ),
    pytest.param("See http://acme.com today", [("url.scheme", "http://acme.com")], id="http"),
    pytest.param(
        "See HTTPS://ACME.COM/HELP today",
        [("url.scheme", "HTTPS://ACME.COM/HELP")],
        id="capitals",
    ),
    pytest.param(
        "See https://acme.com. Thanks", [("url.scheme", "https://acme.com")], id="full-stop-after"
    ),
    pytest.param(
        "See (https://acme.com/help) today",
        [("url.scheme", "https://acme.com/help")],
        id="in-brackets",
    ),
    pytest.param(
        'See "https://acme.com/x", thanks', [("url.scheme", "https://acme.com/x")], id="in-quotes"
    ),
    pytest.param(
        "See <https://acme.com> today", [("url.scheme", "https://acme.com")], id="in-angles"
    ),
    pytest.param(
        "See https://acme.com/a_(b) today",
        [("url.scheme", "https://acme.com/a_(b)")],
        id="balanced-brackets-in-path",
    ),
    pytest.param(
        "See https://acme.com:8443/path?q=1#frag today",
        [("url.scheme", "https://acme.com:8443/path?q=1#frag")],
        id="port-path-query-fragment",
    ),
    pytest.param(
        "See ftp://files.acme.com/manual.pdf today",
        [("url.scheme", "ftp://files.acme.com/manual.pdf")],
        id="ftp",
    ),
    pytest.param(
        "See https://bücher.de/x today", [("url.scheme", "https://bücher.de/x")], id="unicode-host"
    ),
    pytest.param(
        "See https://s3.amazonaws.com/bucket/x.pdf today",
        [("url.scheme", "https://s3.amazonaws.com/bucket/x.pdf")],
        id="amazonaws-is-not-amazon-retail",
    ),
    # -- defanged and spaced schemes
    pytest.param(
        "See hxxps://acme.com/x today", [("url.scheme", "hxxps://acme.com/x")], id="hxxps"
    ),
    pytest.param("See hxxp://acme.com today", [("url.scheme", "hxxp://acme.com")], id="hxxp"),
    pytest.param(
        "See h**ps://acme.com today", [("url.scheme", "h**ps://acme.com")], id="h-stars-ps"
    ),
    pytest.param(
        "See https :// acme.com today", [("url.scheme", "https :// acme.com")], id="spaced-scheme"
    ),
    pytest.param(
        "See https:// acme.com today",
        [("url.scheme", "https:// acme.com")],
        id="space-after-slashes",
    ),
    # -- www. hosts
    pytest.param("See www.acme.biz today", [("url.www", "www.acme.biz")], id="www"),
    pytest.param("See www.acme.de today", [("url.www", "www.acme.de")], id="www-country-tld"),
    pytest.param(
        "See www.acme.com/returns?x=1&y=2 today",
        [("url.www", "www.acme.com/returns?x=1&y=2")],
        id="www-path-query",
    ),
    pytest.param(
        "See www.acme.com:8080/x today", [("url.www", "www.acme.com:8080/x")], id="www-port"
    ),
    # -- bare domains, judged by the Public Suffix List
    pytest.param("See acme.com today", [("url.domain", "acme.com")], id="bare-domain"),
    pytest.param("See ACME.COM today", [("url.domain", "ACME.COM")], id="bare-domain-capitals"),
    pytest.param("See Acme.com today", [("url.domain", "Acme.com")], id="bare-domain-title-case"),
    pytest.param("See acme.io today", [("url.domain", "acme.io")], id="bare-domain-io"),
    pytest.param("See acme.shop today", [("url.domain", "acme.shop")], id="bare-domain-new-gtld"),
    pytest.param("Visit acme.co.uk.", [("url.domain", "acme.co.uk")], id="two-level-suffix"),
    pytest.param("See (acme.com) today", [("url.domain", "acme.com")], id="bare-in-brackets"),
    pytest.param(
        "See shop.acme.co.uk today", [("url.domain", "shop.acme.co.uk")], id="bare-subdomain"
    ),
    pytest.param(
        "See acme-support.co.uk/returns?x=1 today",
        [("url.domain", "acme-support.co.uk/returns?x=1")],
        id="bare-path-query",
    ),
    pytest.param("See acme.com:8080/x today", [("url.domain", "acme.com:8080/x")], id="bare-port"),
    pytest.param(
        "See support.acme.com/returns#faq today",
        [("url.domain", "support.acme.com/returns#faq")],
        id="bare-fragment",
    ),
    pytest.param("See bücher.de today", [("url.domain", "bücher.de")], id="bare-unicode"),
    pytest.param(
        "See xn--bcher-kva.de today", [("url.domain", "xn--bcher-kva.de")], id="bare-punycode"
    ),
    # -- protocol-relative and IP-address URLs
    pytest.param(
        "See //cdn.acme.net/p.gif today",
        [("url.protocol_relative", "//cdn.acme.net/p.gif")],
        id="protocol-relative",
    ),
    pytest.param(
        "See http://192.0.2.10:8080/ today",
        [("url.ip_address", "http://192.0.2.10:8080/")],
        id="ipv4",
    ),
    pytest.param(
        "See http://[2001:db8::1]/x today",
        [("url.ip_address", "http://[2001:db8::1]/x")],
        id="ipv6",
    ),
    pytest.param(
        "See 192.0.2.10/help today",
        [("url.ip_address", "192.0.2.10/help")],
        id="bare-ip-with-path"),
    # -- shorteners and social profiles
    pytest.param("See bit.ly/3abc today", [("url.shortener", "bit.ly/3abc")], id="shortener"),
    pytest.param(
        "See https://tinyurl.com/abc today",
        [("url.shortener", "https://tinyurl.com/abc")],
        id="shortener-with-scheme",
    ),
    pytest.param(
        "See instagram.com/acme today",
        [("url.social_profile", "instagram.com/acme")],
        id="social-bare",
    ),
    pytest.param(
        "See https://www.facebook.com/acme today",
        [("url.social_profile", "https://www.facebook.com/acme")],
        id="social-with-scheme",
    ),
    pytest.param(
        "Message wa.me/15551234567 today",
        [("url.social_profile", "wa.me/15551234567")],
        id="whatsapp-link-with-number",
    ),
    pytest.param("Join t.me/acme today", [("url.social_profile", "t.me/acme")], id="telegram"),
    # -- app links and redirects through Amazon
    pytest.param(
        "Open acmecoffee://plans today", [("url.app_link", "acmecoffee://plans")], id="app-link"
    ),
    pytest.param(
        "See https://amazon.com/gp/redirect.html?location=https://acme.com today",
        [("url.redirect", "https://acme.com")],
        id="redirect-through-amazon",
    ),
    pytest.param(
        "See https://amazon.com/gp/redirect.html?location=https%3A%2F%2Facme.com today",
        [("url.redirect", "https%3A%2F%2Facme.com")],
        id="redirect-through-amazon-encoded",
    ),
    # -- look-alikes of Amazon are not Amazon
    pytest.param(
        "See amazon-help.com today", [("url.domain", "amazon-help.com")], id="amazon-hyphen"
    ),
    pytest.param(
        "See www.amazon-help.com today",
        [("url.www", "www.amazon-help.com")],
        id="amazon-hyphen-www",
    ),
    pytest.param(
        "See evil-amazon.com today", [("url.domain", "evil-amazon.com")], id="amazon-suffix"
    ),
    pytest.param(
        "See amazon.com.evil.io today",
        [("url.domain", "amazon.com.evil.io")],
        id="amazon-as-subdomain",
    ),
    pytest.param(
        "See amazon.co.uk.evil.io today",
        [("url.domain", "amazon.co.uk.evil.io")],
        id="amazon-uk-as-subdomain",
    ),
    pytest.param(
        "See https://www.amazon.com.evil.io/ today",
        [("url.scheme", "https://www.amazon.com.evil.io/")],
        id="amazon-as-subdomain-with-scheme",
    ),
    pytest.param(
        "See amazon.evil.com today", [("url.domain", "amazon.evil.com")], id="amazon-label"
    ),
    pytest.param(
        "See https://amazon.com@evil.com/x today",
        [("url.scheme", "https://amazon.com@evil.com/x")],
        id="amazon-as-userinfo",
    ),
    pytest.param(
        "See http://amazon.com:80@evil.com/ today",
        [("url.scheme", "http://amazon.com:80@evil.com/")],
        id="amazon-with-port-as-userinfo",
    ),
    pytest.param(
        "See evil.com/amazon today", [("url.domain", "evil.com/amazon")], id="amazon-in-path"
    ),
    pytest.param(
        "See https://evil.com/amazon.com today",
        [("url.scheme", "https://evil.com/amazon.com")],
        id="amazon-domain-in-path",
    ),
    pytest.param(
        "See https://evil.com/?u=amazon.com today",
        [("url.scheme", "https://evil.com/?u=amazon.com")],
        id="amazon-in-query",
    ),
    pytest.param(
        "See https://evil.com#amazon.com today",
        [("url.scheme", "https://evil.com#amazon.com")],
        id="amazon-in-fragment",
    ),
    pytest.param("See amaz0n.com today", [("url.domain", "amaz0n.com")], id="amazon-zero-for-o"),
    pytest.param(
        "See \u0430mazon.com today", [("url.domain", "\u0430mazon.com")], id="amazon-cyrillic-a"
    ),
    pytest.param(
        "See amzn.to.example.net today",
        [("url.domain", "amzn.to.example.net")],
        id="short-link-as-subdomain",
    ),
    # leaves alone
    # -- Amazon's own links
    pytest.param("See https://www.amazon.com/dp/B08N5WRWNW today", [], id="amazon-product"),
    pytest.param(
        "See https://www.amazon.com/gp/help/customer/contact-us today", [], id="amazon-help"
    ),
    pytest.param("See amazon.co.uk today", [], id="amazon-uk-bare"),
    pytest.param("See Amazon.com today", [], id="amazon-title-case"),
    pytest.param("See AMAZON.DE today", [], id="amazon-capitals"),
    pytest.param("See amazon.com.mx today", [], id="amazon-mx"),
    pytest.param("See amazon.com/returns today", [], id="amazon-bare-path"),
    pytest.param("See https://smile.amazon.de/x today", [], id="amazon-smile"),
    pytest.param("See sellercentral.amazon.com today", [], id="amazon-sellercentral"),
    pytest.param("See www.amazon.co.jp/gp/css/order-history today", [], id="amazon-jp-www"),
    pytest.param("See //amazon.com/x today", [], id="amazon-protocol-relative"),
    pytest.param(
        "See https://www.amazon.com.be/dp/X today", [], id="amazon-be"
    ),
    pytest.param("See https://a.co/d/abc123 today", [], id="short-a-co"),
    pytest.param("See amzn.to/3xyz today", [], id="short-amzn-to"),
    pytest.param("See amzn.eu/d/abc today", [], id="short-amzn-eu"),
    pytest.param("See amzn.asia/d/abc today", [], id="short-amzn-asia"),
    pytest.param("See amzn.in/d/abc today", [], id="short-amzn-in"),
    pytest.param("Check out the amazon.com app", [], id="amazon-in-prose"),
    # -- abbreviations and prose
    pytest.param("e.g. the lamp; i.e. the base; etc. and so on", [], id="latin-abbreviations"),
    pytest.param("Made in the U.S.A. and shipped from the U.S. too", [], id="u-s"),
    pytest.param("We're in the U.K. and have Ph.D. staff", [], id="u-k-ph-d"),
    pytest.param("Ship to Washington, D.C. today", [], id="d-c"),
    pytest.param("Our office is in St. Louis now", [], id="st-louis"),
    pytest.param("See Fig. 2 and Fig. 3", [], id="fig"),
    pytest.param("No. 5 and Vol. 2 and pp. 12-14", [], id="no-vol-pp"),
    pytest.param("Thanks Mr.Smith for the note", [], id="mr-smith"),
    pytest.param("mr.smith", [], id="mr-smith-lower"),
    pytest.param("Sorry for the delay.It will ship today", [], id="delay-it"),
    pytest.param("We were outside.In the end it worked", [], id="outside-in"),
    pytest.param("It arrived today.now it works", [], id="today-now"),
    pytest.param("Hi Jane,Thanks for writing.Your lamp ships today.", [], id="missing-spaces"),
    pytest.param("Ok.Thanks", [], id="ok-thanks"),
    pytest.param("Your email.Please reply", [], id="email-please"),
    pytest.param("It ships at 5 p.m. today", [], id="p-m"),
    pytest.param("The A.B.C. model", [], id="initialism"),
    pytest.param("It ships on Mon.Tue. or Wed.", [], id="weekdays"),
    # -- file names, versions, numbers
    pytest.param("Open manual.pdf please", [], id="manual-pdf"),
    pytest.param("Open manual.zip please", [], id="manual-zip"),
    pytest.param("Open readme.md please", [], id="readme-md"),
    pytest.param("See photo.jpg and data.csv and report.docx", [], id="file-names"),
    pytest.param('The file name "setup.exe"', [], id="setup-exe"),
    pytest.param("We use node.js and vue.js", [], id="js-libraries"),
    pytest.param("Firmware v2.3.1 and version 3.10", [], id="versions"),
    pytest.param("Update to v1.2.3-beta.4", [], id="prerelease-version"),
    pytest.param("Version 2.10.3.1 looks like an IP", [], id="ip-shaped-version"),
    pytest.param("The value is 3.14 and 1.5x", [], id="decimals"),
    pytest.param("It opens at 7.am", [], id="time-glued-to-am"),
    pytest.param("Sent from my iPhone", [], id="signature"),
    pytest.param("The http:// prefix alone is not a link", [], id="scheme-without-host"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_links(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected)


HTML_CASES = [
    # catches
    pytest.param(
        '<p>Visit <a href="https://acme.com/help">our help page</a></p>',
        [("url.html_attribute", "https://acme.com/help")],
        id="href-behind-innocent-text",
    ),
    pytest.param(
        '<p>Visit <a href="https://acme.com/help">https://acme.com/help</a></p>',
        [("url.html_attribute", "https://acme.com/help"), ("url.scheme", "https://acme.com/help")],
        id="href-and-visible-url",
    ),
    pytest.param(
        "<p>Visit <a href='https://acme.com/help'>here</a></p>",
        [("url.html_attribute", "https://acme.com/help")],
        id="single-quoted-href",
    ),
    pytest.param(
        "<p>Visit <a href=https://acme.com/help>here</a></p>",
        [("url.html_attribute", "https://acme.com/help")],
        id="unquoted-href",
    ),
    pytest.param(
        '<p>Visit <a HREF="https://acme.com/help">here</a></p>',
        [("url.html_attribute", "https://acme.com/help")],
        id="upper-case-attribute",
    ),
    pytest.param(
        '<p><a href="//acme.com/x">x</a></p>',
        [("url.html_attribute", "//acme.com/x")],
        id="protocol-relative-href",
    ),
    pytest.param(
        '<p><a href="https&#58;//acme.com">x</a></p>',
        [("url.html_attribute", "https&#58;//acme.com")],
        id="entity-in-href",
    ),
    pytest.param(
        '<p><img src="https://cdn.acme.com/logo.png" alt="logo"></p>',
        [("url.html_attribute", "https://cdn.acme.com/logo.png")],
        id="img-src",
    ),
    pytest.param(
        '<p><iframe src="https://acme.com/video"></iframe></p>',
        [("url.html_attribute", "https://acme.com/video")],
        id="iframe-src",
    ),
    pytest.param(
        '<form action="https://acme.com/submit"><button>Go</button></form>',
        [("url.html_attribute", "https://acme.com/submit")],
        id="form-action",
    ),
    pytest.param(
        '<p><video poster="https://acme.com/p.jpg"></video></p>',
        [("url.html_attribute", "https://acme.com/p.jpg")],
        id="video-poster",
    ),
    pytest.param(
        '<table background="https://acme.com/bg.png"><tr><td>x</td></tr></table>',
        [("url.html_attribute", "https://acme.com/bg.png")],
        id="table-background",
    ),
    pytest.param(
        '<link rel="stylesheet" href="https://acme.com/s.css">',
        [("url.html_attribute", "https://acme.com/s.css")],
        id="stylesheet-link",
    ),
    pytest.param(
        '<p><a data-href="https://acme.com">x</a></p>',
        [("url.html_attribute", "https://acme.com")],
        id="data-attribute",
    ),
    pytest.param(
        '<p><a title="see acme.com">x</a></p>',
        [("url.html_attribute", "acme.com")],
        id="title-attribute",
    ),
    pytest.param(
        '<div style="background:url(https://acme.com/bg.png)">hi</div>',
        [("url.html_attribute", "https://acme.com/bg.png")],
        id="css-url-in-style-attribute",
    ),
    pytest.param(
        "<div style=\"background:url('https://acme.com/bg.png')\">hi</div>",
        [("url.html_attribute", "https://acme.com/bg.png")],
        id="quoted-css-url",
    ),
    pytest.param(
        "<style>body{background:url(https://acme.com/bg.png)}</style><p>hi</p>",
        [("url.html_attribute", "https://acme.com/bg.png")],
        id="css-url-in-style-element",
    ),
    pytest.param(
        '<style>@import "https://acme.com/s.css";</style><p>hi</p>',
        [("url.html_attribute", "https://acme.com/s.css")],
        id="css-import",
    ),
    pytest.param(
        "<p><!-- visit acme.com --></p>",
        [("url.html_attribute", "acme.com")],
        id="in-a-comment",
    ),
    # -- tracking pixels
    pytest.param(
        '<p><img src="https://track.acme.com/p.gif" width="1" height="1"></p>',
        [("url.tracking_pixel", "https://track.acme.com/p.gif")],
        id="pixel-one-by-one",
    ),
    pytest.param(
        '<p><img src="https://track.acme.com/p.gif" width="0" height="0" alt=""></p>',
        [("url.tracking_pixel", "https://track.acme.com/p.gif")],
        id="pixel-zero-by-zero",
    ),
    pytest.param(
        '<p><img src="https://track.acme.com/p.gif" style="display:none"></p>',
        [("url.tracking_pixel", "https://track.acme.com/p.gif")],
        id="pixel-display-none",
    ),
    # -- classified as in text, wherever they stand
    pytest.param(
        '<p><a href="http://192.0.2.10/x">x</a></p>',
        [("url.ip_address", "http://192.0.2.10/x")],
        id="ip-href",
    ),
    pytest.param(
        '<p><a href="https://bit.ly/3abc">x</a></p>',
        [("url.shortener", "https://bit.ly/3abc")],
        id="shortener-href",
    ),
    pytest.param(
        '<p><a href="https://instagram.com/acme">x</a></p>',
        [("url.social_profile", "https://instagram.com/acme")],
        id="social-href",
    ),
    pytest.param(
        '<p><a href="https://amazon.com@evil.com/x">Amazon</a></p>',
        [("url.html_attribute", "https://amazon.com@evil.com/x")],
        id="amazon-userinfo-href",
    ),
    pytest.param(
        '<p><a href="https://amazon.com/gp/redirect.html?location=https://acme.com">x</a></p>',
        [("url.html_attribute", "https://acme.com")],
        id="redirect-href",
    ),
    # -- visible text
    pytest.param("<p>acme&#46;com</p>", [("url.domain", "acme&#46;com")], id="decimal-dot-entity"),
    pytest.param("<p>acme&#x2e;com</p>", [("url.domain", "acme&#x2e;com")], id="hex-dot-entity"),
    pytest.param(
        "<p>acme&period;com</p>", [("url.domain", "acme&period;com")], id="named-dot-entity"
    ),
    pytest.param(
        "<p>www&#46;acme&#46;com</p>", [("url.www", "www&#46;acme&#46;com")], id="www-entities"
    ),
    pytest.param(
        "<p>https&#58;//acme.com</p>", [("url.scheme", "https&#58;//acme.com")], id="colon-entity"
    ),
    pytest.param(
        "<p>Our site: <span>acme</span>.com</p>",
        [("url.domain", "acme</span>.com")],
        id="domain-split-by-span",
    ),
    pytest.param(
        "<p>Our site: acme<span>.com</span></p>",
        [("url.domain", "acme<span>.com")],
        id="suffix-in-a-span",
    ),
    # leaves alone
    pytest.param(
        '<p><a href="https://www.amazon.com/review/create-review?asin=B08N5WRWNW">Review</a></p>',
        [],
        id="amazon-review-link",
    ),
    pytest.param('<p><a href="https://amzn.to/3xyz">link</a></p>', [], id="amazon-short-link"),
    pytest.param('<p><a href="javascript:void(0)">x</a></p>', [], id="javascript-void"),
    pytest.param('<p><a href="#top">x</a></p>', [], id="fragment-only"),
    pytest.param('<p><a href="/relative/path">x</a></p>', [], id="relative-path"),
    pytest.param('<p><img src="cid:logo123"></p>', [], id="inline-cid-image"),
    pytest.param('<p><img src="data:image/png;base64,iVBORw0KGgo="></p>', [], id="data-uri"),
    pytest.param("<p>See <b>manual.pdf</b> in the box</p>", [], id="file-name-in-bold"),
    pytest.param("<p>Sorry for the delay.<br>It ships today</p>", [], id="sentences-split-by-br"),
]


@pytest.mark.parametrize(("text", "expected"), HTML_CASES)
def test_links_in_html(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected, html=True)


AMAZON_DOMAINS = [
    domain
    for domain in sorted(AMAZON_RETAIL_DOMAINS | AMAZON_SHORT_LINK_DOMAINS)
]


@pytest.mark.parametrize("domain", AMAZON_DOMAINS)
def test_every_amazon_domain_and_its_subdomains_are_allowed(domain: str) -> None:
    text = (
        f"See {domain}, https://{domain}/gp/help?ref=x, www.{domain}/dp/B08N5WRWNW, "
        f"//smile.{domain}/x and <https://sellercentral.{domain}/messaging> today."
    )
    assert check(text).findings == []
    html = f'<p><a href="https://www.{domain}/x">Amazon</a><img src="https://m.{domain}/i.png"></p>'
    assert check(html, html=True).findings == []


@pytest.mark.parametrize("domain", sorted(AMAZON_RETAIL_DOMAINS | AMAZON_SHORT_LINK_DOMAINS))
def test_amazon_domain_used_as_a_subdomain_elsewhere_is_flagged(domain: str) -> None:
    expect = [("url.domain", f"{domain}.evil.io")]
    report = check(f"See {domain}.evil.io today")
    assert [(f.rule, f.text) for f in report.findings] == expect


@pytest.mark.parametrize(
    ("text", "offending"),
    [
        ("see hxxps://acme[.]com/x ok", "hxxps://acme[.]com/x"),
        ("see https[:]//acme.com/x ok", "https[:]//acme.com/x"),
        ("go to hxxp://acme(dot)com now", "hxxp://acme(dot)com"),
    ],
    ids=["bracketed-dot-in-host", "bracketed-colon", "dot-word-in-host"],
)
def test_defanged_urls_are_one_link(text: str, offending: str) -> None:
    """A defanged URL is reported whole, so redaction leaves no scheme or path behind."""
    report = check(text)
    assert [(f.rule, f.text) for f in report.blocking] == [("url.scheme", offending)]
