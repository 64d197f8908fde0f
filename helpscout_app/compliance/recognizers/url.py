"""Web links: scheme URLs, www. hosts, bare domains, protocol-relative and IP-address URLs.

Catches:  "https://acme.com/help", "hxxps://acme.com", "https :// acme.com", "www.acme.biz",
          "acme-support.co.uk/returns?x=1", "//cdn.acme.net/p.gif", "http://192.0.2.10:8080/",
          "bit.ly/3abc" (shortener), "instagram.com/acme" (social profile)
Leaves:   "outside.In" and "delay.It" (a missing space after a full stop), "manual.pdf",
          "e.g.", "U.S.", "St. Louis", "v2.3.1", "node.js", "http://" with no host
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from helpscout_app.compliance.domains import Host, is_common_tld, parse_host
from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan, Source

_URL_CHARS = r"[^\s<>\"'`{}|\\^]"

SCHEME_URL = re.compile(
    r"(?<![\w.-])(?:h(?:tt|xx|\*\*|\[tt\])ps?|ftps?)[ \t]{0,2}:[ \t]{0,2}//[ \t]{0,2}"
    + _URL_CHARS + "+",
    re.IGNORECASE,
)
"""A URL with a scheme, including defanged (hxxps) and spaced-out (https :// x) forms."""

WWW_HOST = re.compile(r"(?<![\w.@/-])www\d{0,3}\." + _URL_CHARS + "+", re.IGNORECASE)
"""A host written from its www. label on, with whatever path follows."""

PROTOCOL_RELATIVE = re.compile(r"(?<![\w:/])//(?=[^\W_])" + _URL_CHARS + "+")
"""`//host/path`, which a mail client completes with http: or https:."""

BARE_DOMAIN = re.compile(
    r"(?<![\w.@/:#$%+-])"
    r"(?P<host>(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?P<tld>[^\W\d_]{2,63}))"
    r"(?![\w@-])"
    r"(?P<tail>(?::\d{2,5})?(?:[/?#]" + _URL_CHARS + r"*)?)",
)
"""A domain name with no scheme (`acme.com`, `shop.acme.co.uk/x`), judged by its suffix."""

URL_SHORTENERS = frozenset(
    "bit.ly tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at rb.gy "
    "t.ly tiny.cc bl.ink s.id v.gd lnkd.in shorte.st adf.ly linktr.ee".split()
)
"""Redirectors that hide where a link goes."""

SOCIAL_NETWORKS = frozenset(
    "facebook.com fb.com fb.me instagram.com twitter.com x.com tiktok.com youtube.com youtu.be "
    "linkedin.com pinterest.com wa.me whatsapp.com t.me telegram.me reddit.com snapchat.com "
    "threads.net discord.gg discord.com".split()
)
"""Social profiles and messengers: a way to reach the seller outside Amazon."""

FILE_EXTENSIONS_THAT_ARE_TLDS = frozenset("zip mov md py sh rs ps cs".split())
"""File extensions that are also top-level domains: `manual.zip` is a file, not a site."""

_TRAILING = ".,;:!?'\"*"
_AUTHORITY_END = re.compile(r"[/?#\\]")


def _trim_end(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets after a URL."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in ")]" and url.count("(" if last == ")" else "[") < url.count(last):
            url = url[:-1]
        else:
            break
    return url


def _host_of(authority_and_path: str) -> str:
    """The host of `user:pass@host:port/path`; the userinfo can't make a link Amazon's."""
    authority = _AUTHORITY_END.split(authority_and_path, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _classify(host: Host, default_rule: str) -> tuple[str, str]:
    """Rule id and message for a link to `host`."""
    if host.registered_domain in URL_SHORTENERS:
        return "url.shortener", "Shortened link: it hides an external site; Amazon blocks it."
    if host.registered_domain in SOCIAL_NETWORKS:
        return "url.social_profile", "Social-media or messenger link: contact outside Amazon."
    if host.is_ip:
        return "url.ip_address", "Link to an IP address: an external site Amazon blocks."
    return default_rule, "External link: replies to Amazon buyers may only link to Amazon."


def _link(scan: Scan, start: int, end: int, host_text: str, rule: str) -> Match | None:
    host = parse_host(host_text)
    if host is None:
        return None
    if scan.source is Source.ATTRIBUTE:
        rule = "url.tracking_pixel" if scan.is_tracking_pixel else "url.html_attribute"
    rule, message = _classify(host, rule)
    if scan.source is Source.ATTRIBUTE and rule in ("url.html_attribute", "url.tracking_pixel"):
        message = (
            "Tracking pixel: an invisible image that reports to an external site."
            if scan.is_tracking_pixel
            else f"Link hidden in the HTML ({scan.tag} {scan.attribute}): an external site."
        )
    return Match(Kind.URL, rule, start, end, message, target=host_text.lower())


def _scheme_urls(scan: Scan) -> Iterator[Match]:
    for found in SCHEME_URL.finditer(scan.text):
        url = _trim_end(found.group())
        rest = url.split("//", 1)[1].lstrip(" \t")
        match = _link(scan, found.start(), found.start() + len(url), _host_of(rest), "url.scheme")
        if match is not None:
            yield match


def _www_hosts(scan: Scan) -> Iterator[Match]:
    for found in WWW_HOST.finditer(scan.text):
        url = _trim_end(found.group())
        match = _link(scan, found.start(), found.start() + len(url), _host_of(url), "url.www")
        if match is not None:
            yield match


def _protocol_relative(scan: Scan) -> Iterator[Match]:
    for found in PROTOCOL_RELATIVE.finditer(scan.text):
        url = _trim_end(found.group())
        host = _host_of(url[2:])
        if "." not in host:
            continue
        match = _link(scan, found.start(), found.start() + len(url), host, "url.protocol_relative")
        if match is not None:
            yield match


def _is_bare_domain_lookalike(host_text: str, tld: str, tail: str) -> bool:
    """Text that has the shape of a domain but is prose or a file name."""
    if tail:
        return False  # a path, query or port makes it a link whatever the words
    labels = host_text.split(".")
    if len(labels) == 2:
        # "outside.In", "delay.It": a sentence run together after a full stop.
        if tld[0].isupper() and tld[1:].islower():
            return True
        # "manual.zip", "readme.md": a file name whose extension is also a TLD.
        if tld.lower() in FILE_EXTENSIONS_THAT_ARE_TLDS:
            return True
        # "arrived today.now": rare word-like TLDs are trusted only with more context.
        if not is_common_tld(tld):
            return True
    return False


def _bare_domains(scan: Scan) -> Iterator[Match]:
    text = scan.text
    for found in BARE_DOMAIN.finditer(text):
        host_text, tld, tail = found.group("host"), found.group("tld"), found.group("tail")
        if _is_bare_domain_lookalike(host_text, tld, tail):
            continue
        end = found.start() + len(_trim_end(found.group()))
        match = _link(scan, found.start(), end, host_text, "url.domain")
        if match is not None:
            yield match


def find_links(scan: Scan) -> Iterator[Match]:
    """Every link in the text; overlaps between forms are merged by the detector."""
    yield from _scheme_urls(scan)
    yield from _www_hosts(scan)
    yield from _protocol_relative(scan)
    yield from _bare_domains(scan)


RECOGNIZER = Recognizer("url", find_links)
