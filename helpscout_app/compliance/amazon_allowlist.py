"""Amazon's own links and contact info, which a reply to a buyer may carry.

Sources (shared/reference/amazon.md): marketplace retail domains §4.1 (Amazon's marketplace-ID
table), short-link domains §4.2, relay addresses @marketplace.amazon.<tld> §3.2, the US
customer-service number §4.3. A host is Amazon's only when it is, label for label from the
right, one of these domains or a subdomain of one: `amazon.com.evil.io`, `amazon-help.com`
and `https://amazon.com@evil.com/` (host evil.com) are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

AMAZON_RETAIL_DOMAINS = frozenset(
    """amazon.com amazon.ca amazon.com.mx amazon.com.br amazon.co.uk amazon.de amazon.fr
    amazon.it amazon.es amazon.nl amazon.se amazon.pl amazon.com.be amazon.ie amazon.com.tr
    amazon.ae amazon.sa amazon.eg amazon.in amazon.co.za amazon.co.jp amazon.com.au amazon.sg
    amazon.cn amazon.co amazon.com.sg""".split()
)
"""Every Amazon marketplace's retail domain; subdomains (sellercentral., smile.) included."""

AMAZON_SHORT_LINK_DOMAINS = frozenset("a.co amzn.to amzn.eu amzn.asia amzn.in".split())
"""Amazon's share and short-link redirectors (§4.2; ownership statement unconfirmed)."""

AMAZON_MEDIA_DOMAINS = frozenset("media-amazon.com ssl-images-amazon.com images-amazon.com".split())
"""Amazon's own image hosts (m.media-amazon.com, images-na.ssl-images-amazon.com)."""

AMAZON_DOMAINS = AMAZON_RETAIL_DOMAINS | AMAZON_SHORT_LINK_DOMAINS | AMAZON_MEDIA_DOMAINS


def _is_domain_or_subdomain(host: str, domains: frozenset[str]) -> bool:
    """`host` is one of `domains` or a subdomain of one.

    Matched on whole labels from the right rather than through the Public Suffix List: the
    list has no `com.be`, so it would read amazon.com.be (Belgium) as the site "com.be".
    """
    host = host.strip(".").lower()
    while True:
        if host in domains:
            return True
        _, dot, host = host.partition(".")
        if not dot:
            return False


def is_amazon_host(host: str) -> bool:
    """True for Amazon's retail, short-link and image hosts and their subdomains."""
    return _is_domain_or_subdomain(host, AMAZON_DOMAINS)


def is_amazon_email(address: str) -> bool:
    """True for @amazon.<tld> and @marketplace.amazon.<tld> (buyer relay) addresses."""
    _, at, domain = address.rpartition("@")
    return bool(at) and _is_domain_or_subdomain(domain, AMAZON_RETAIL_DOMAINS)


def _digits(number: str) -> str:
    return "".join(char for char in number if char.isdigit())


@lru_cache(maxsize=64)
def _allowed_digit_forms(numbers: tuple[str, ...]) -> frozenset[str]:
    """Every digit string an allowed number may be written as.

    "+44 20 7946 0958" may appear as 442079460958, 00442079460958, 02079460958 (national, with
    its trunk 0) or 2079460958; "+1-888-280-4331" also as 8882804331 and 18882804331.
    """
    forms: set[str] = set()
    for number in numbers:
        try:
            parsed = phonenumbers.parse(number, None if number.strip().startswith("+") else "US")
        except phonenumbers.NumberParseException:
            forms.add(_digits(number))
            continue
        country = str(parsed.country_code)
        national = phonenumbers.national_significant_number(parsed)
        forms.update({country + national, "00" + country + national, national, "0" + national})
        if country == "1":
            forms.add("011" + country + national)
    return frozenset(forms)


def is_amazon_phone(number: str, allowed_numbers: Iterable[str]) -> bool:
    """True when the number is one of the configured Amazon customer-service numbers."""
    return _digits(number) in _allowed_digit_forms(tuple(allowed_numbers))
