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
from urllib.parse import unquote

from helpscout_app.compliance.domains import Host, is_common_tld, parse_host
from helpscout_app.compliance.findings import Kind
from helpscout_app.compliance.scan import Match, Recognizer, Scan, Source

_URL_CHARS = r"[^\s<>\"'`{}|\\^]"

# Every pattern below runs on the lower-cased text and starts with a literal ("//", "www",
# ".", ":"), so the regex engine skips ahead to candidates instead of trying every position;
# the boundary checks a lookbehind would do are done on the one character before a match.

DOUBLE_SLASH = re.compile(r"//")
"""Where every scheme URL and protocol-relative URL is anchored."""

SCHEME_BEFORE = re.compile(
    r"(?:h(?:\*\*|\[tt\])ps?|[a-z][a-z0-9+.-]{0,15})[ \t]{0,2}(?::|\[:\])[ \t]{0,2}\Z"
)
"""The scheme in front of "//": http, hxxps and https[:] (defanged), h**ps, "https :" (spaced),
svn+ssh."""

_DEFANGED_DOT = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.IGNORECASE)
"""A dot written as "[.]" inside a host: "hxxps://acme[.]com/x" is still acme.com."""

URL_REST = re.compile(r"[ \t]{0,2}" + _URL_CHARS + "{1,2048}")
AUTHORITY = re.compile(r"[ \t]{0,2}[^\s/?#<>\"'`\\]{1,255}")
"""Just the host part after "//": judged before the rest of the URL is read."""

WWW_HOST = re.compile(r"www\d{0,3}\." + _URL_CHARS + "{1,2048}")
"""A host written from its www. label on, with whatever path follows."""

DOMAIN_DOT = re.compile(r"\.(?:[^\W\d_]{2}|xn--)")
"""A dot followed by what could be a top-level domain: where a bare domain can be."""

BARE_DOMAIN = re.compile(
    r"(?P<host>(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?P<tld>[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59}))"
    r"(?![\w@-])"
    r"(?P<tail>(?::\d{2,5})?(?:[/?#]" + _URL_CHARS + r"{0,2048})?)",
)
"""A domain name with no scheme (`acme.com`, `shop.acme.co.uk/x`), judged by its suffix."""

_LABEL_RUN = re.compile(r"[\w.-]*")
_NOT_BEFORE_DOMAIN = frozenset("@/#$%+")
_NOT_BEFORE_WWW = frozenset(".@/-_")

ENGLISH_WORD_TLDS = frozenset(
    """it in at be me us to no so is my do am as by go on or an if of up we he hi
    now today here you one new best live life care fit win fun how day cool hot free good great
    love lol wow yes next open run buy save show play tips works work team art bar pub boo dad
    mom ski spa tax vet world page click link off men ink top moe ing meet fly joy fail cab bid
    fans game games golf ltd inc pay call bye thanks""".split()
)
"""TLDs that are also everyday words: after a missing space ("arrived today.now",
"outside.In") they make prose look like a domain."""

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
        if last in _TRAILING or (
            last in ")]" and url.count("(" if last == ")" else "[") < url.count(last)
        ):
            url = url[:-1]
        else:
            break
    return url


_ASCII_HOST_PREFIX = re.compile(r"[A-Za-z0-9.-]+")


def _host_of(authority_and_path: str) -> str:
    """The host of `user:pass@host:port/path`; the userinfo can't make a link Amazon's."""
    authority = _AUTHORITY_END.split(authority_and_path, maxsplit=1)[0]
    host = _DEFANGED_DOT.sub(".", authority.rpartition("@")[2])
    ascii_prefix = _ASCII_HOST_PREFIX.match(host)
    if (
        ascii_prefix
        and ascii_prefix.end() < len(host)
        and parse_host(host.rsplit(":", 1)[0]) is None
        and parse_host(ascii_prefix.group()) is not None
    ):
        # "http://example.comだよね": the host ends where the ASCII letters do.
        host = ascii_prefix.group()
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
    segment = scan.segment_at(start) if scan.source is Source.ATTRIBUTE else None
    if segment is not None:
        rule = "url.tracking_pixel" if segment.is_tracking_pixel else "url.html_attribute"
    rule, message = _classify(host, rule)
    if segment is not None and rule in ("url.html_attribute", "url.tracking_pixel"):
        message = (
            "Tracking pixel: an invisible image that reports to an external site."
            if segment.is_tracking_pixel
            else f"Link hidden in the HTML ({segment.tag} {segment.attribute}): an external site."
        )
    return Match(Kind.URL, rule, start, end, message, target=host_text.lower())


WEB_SCHEMES = frozenset({"http", "https", "hxxp", "hxxps", "ftp", "ftps", "h**p", "h**ps"})

EMBEDDED_URL = re.compile(r"(?:h(?:tt|xx)ps?)(?::|%3a)(?://|%2f%2f)", re.IGNORECASE)
"""A URL inside another one's query: a redirect through an allowed site to an external one."""

APP_LINK = re.compile(r"[a-z][a-z0-9+.-]{1,30}://[A-Za-z0-9]", re.IGNORECASE)


def _scheme_urls(scan: Scan) -> Iterator[Match]:
    text, lower = scan.text, scan.lower
    resume = 0
    for slash in DOUBLE_SLASH.finditer(lower):
        if slash.start() < resume:
            continue
        scheme = SCHEME_BEFORE.search(lower, max(slash.start() - 24, 0), slash.start())
        authority = AUTHORITY.match(lower, slash.end())
        if authority is None or (
            parse_host(_host_of(authority.group().lstrip(" \t"))) is None
            and scheme is not None
            and lower[scheme.start() : slash.start()].rstrip(" \t:[]") in WEB_SCHEMES
        ):
            continue  # no host, or not a public one: "http://" alone, "http://http://…"
        rest = URL_REST.match(lower, slash.end())
        if rest is None:
            continue
        if scheme is None:
            match = _protocol_relative(scan, slash.start(), rest)
            if match is not None:
                resume = match.end
                yield match
            continue
        start = _scheme_start(lower, scheme.start(), slash.start())
        url = _trim_end(text[start : rest.end()])
        end = start + len(url)
        scheme_name = lower[start : slash.start()].rstrip(" \t:[]")
        match = _link(scan, start, end, _host_of(url.split("//", 1)[1].lstrip(" \t")), "url.scheme")
        if (
            match is None
            and scheme_name not in WEB_SCHEMES
            and APP_LINK.fullmatch(lower[start : slash.end() + 1])
        ):
            # "acmecoffee://plans": a deep link into the seller's own app.
            match = Match(
                Kind.URL,
                "url.app_link",
                start,
                end,
                "Link into an app outside Amazon.",
                target=url.lower(),
            )
        if match is None:
            continue
        resume = end
        yield match
        yield from _embedded_links(scan, start, url)


def _scheme_start(lower: str, start: int, slash: int) -> int:
    """Start at the web scheme inside a glued prefix: "5th.https://" starts at "https"."""
    for scheme in ("https", "http", "hxxps", "hxxp", "ftp"):
        found = lower.rfind(scheme, start, slash)
        if found > start:
            return found
    return start


def _protocol_relative(scan: Scan, start: int, rest: re.Match[str]) -> Match | None:
    """`//host/path`, which a mail client completes with http: or https:."""
    lower = scan.lower
    if start > 0 and (lower[start - 1].isalnum() or lower[start - 1] in ":/_"):
        return None
    if rest.group().startswith((" ", "\t")) or not lower[rest.start() : rest.start() + 1].isalnum():
        return None
    url = _trim_end(scan.text[start : rest.end()])
    host = _host_of(url[2:])
    if "." not in host:
        return None
    return _link(scan, start, start + len(url), host, "url.protocol_relative")


def _embedded_links(scan: Scan, start: int, url: str) -> Iterator[Match]:
    for embedded in EMBEDDED_URL.finditer(url, 8):
        inner = unquote(url[embedded.start() :])
        inner_rest = inner.split("//", 1)[1] if "//" in inner else ""
        inner_end = url.find("&", embedded.start())
        inner_end = len(url) if inner_end < 0 else inner_end
        match = _link(
            scan, start + embedded.start(), start + inner_end, _host_of(inner_rest), "url.redirect"
        )
        if match is not None:
            yield match


def _www_hosts(scan: Scan) -> Iterator[Match]:
    lower = scan.lower
    if "www" not in lower:
        return
    for found in WWW_HOST.finditer(lower):
        start = found.start()
        if start > 0 and (lower[start - 1].isalnum() or lower[start - 1] in _NOT_BEFORE_WWW):
            continue
        url = _trim_end(scan.text[start : found.end()])
        match = _link(scan, start, start + len(url), _host_of(url), "url.www")
        if match is not None:
            yield match


def _is_bare_domain_lookalike(host_text: str, tld: str, tail: str) -> bool:
    """Text that has the shape of a domain but is prose or a file name."""
    if tail:
        return False  # a path, query or port makes it a link whatever the words
    labels = host_text.split(".")
    if len(labels) == 2:
        word_tld = tld.lower() in ENGLISH_WORD_TLDS and not is_common_tld(tld)
        # "outside.In", "delay.It": a sentence run together after a full stop.
        if tld[0].isupper() and tld[1:].islower() and tld.lower() in ENGLISH_WORD_TLDS:
            return True
        # "arrived today.now": a word-like generic TLD right after an ordinary word.
        if word_tld and labels[0].isalpha() and labels[0].islower():
            return True
        # "manual.zip", "readme.md": a file name whose extension is also a TLD.
        if tld.lower() in FILE_EXTENSIONS_THAT_ARE_TLDS:
            return True
        # "7.am", "10.am": a time, not a domain.
        if labels[0].isdigit():
            return True
    return False


def _bare_domains(scan: Scan) -> Iterator[Match]:
    lower = scan.lower
    resume = 0
    run_start = run_checked = -1
    for dot in DOMAIN_DOT.finditer(lower):
        if dot.start() < resume:
            continue
        # Walk back to the first label; a run of labels shares one start ("a.b.c.com").
        if run_checked >= 0 and _LABEL_RUN.fullmatch(lower, run_checked, dot.start()):
            start = run_start
        else:
            start = dot.start()
            while start > 0 and (lower[start - 1].isalnum() or lower[start - 1] in "-_."):
                start -= 1
        run_start, run_checked = start, dot.start()
        while start < dot.start() and not lower[start].isalnum():
            start += 1
        if start > 0 and lower[start - 1] in _NOT_BEFORE_DOMAIN:
            continue
        found = BARE_DOMAIN.match(lower, start)
        if found is None:
            continue
        resume = found.end()
        match = _bare_domain(scan, found)
        if match is not None:
            yield match


def _bare_domain(scan: Scan, found: re.Match[str]) -> Match | None:
    text = scan.text
    host_end = found.end("host")
    host_text = text[found.start("host") : host_end]
    tld = text[found.start("tld") : found.end("tld")]
    if _is_bare_domain_lookalike(host_text, tld, found.group("tail")):
        return None
    if (
        text.startswith(".", host_end)
        and host_end + 1 < len(text)
        and (text[host_end + 1].isalnum() or text[host_end + 1] == "_")
    ):
        return None  # "data_site.group.popular_desc": a dotted identifier goes on past it
    end = found.start() + len(_trim_end(text[found.start() : found.end()]))
    return _link(scan, found.start(), end, host_text, "url.domain")


BARE_IP_LINK = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}(?::\d{2,5})?/" + _URL_CHARS + "{0,2048}")
"""An IPv4 address with a path and no scheme ("192.0.2.10/setup"): a browser opens it."""


_IP_TAIL = re.compile(r"\.\d{1,3}\.\d{1,3}(?::\d{2,5})?/")
"""The last two parts of an address and the slash: found from a literal dot, so cheap."""


def _bare_ip_links(scan: Scan) -> Iterator[Match]:
    text = scan.text
    resume = 0
    for tail in _IP_TAIL.finditer(text):
        if tail.start() < resume:
            continue
        found = BARE_IP_LINK.search(text, max(tail.start() - 8, resume), tail.end() + 2048)
        if found is None or found.start() > tail.start():
            continue
        resume = found.end()
        start = found.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "./:@"):
            continue
        url = _trim_end(found.group())
        match = _link(scan, start, start + len(url), _host_of(url), "url.ip_address")
        if match is not None:
            yield match


def find_links(scan: Scan) -> Iterator[Match]:
    """Every link in the text; overlaps between forms are merged by the detector."""
    if "." not in scan.text and "//" not in scan.text:
        return
    yield from _scheme_urls(scan)
    yield from _www_hosts(scan)
    yield from _bare_domains(scan)
    yield from _bare_ip_links(scan)


RECOGNIZER = Recognizer("url", find_links)
