"""Amazon's own links and contact info, which a reply to a buyer may carry.

Sources (shared/reference/amazon.md): marketplace retail domains §4.1 (Amazon's marketplace-ID
table), short-link domains §4.2, relay addresses @marketplace.amazon.<tld> §3.2, the US
customer-service number §4.3. Judged on the registered domain, so `amazon.com.evil.io`,
`amazon-help.com` and `https://amazon.com@evil.com/` are not Amazon's.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from helpscout_app.compliance.domains import parse_host

AMAZON_RETAIL_DOMAINS = frozenset(
    """amazon.com amazon.ca amazon.com.mx amazon.com.br amazon.co.uk amazon.de amazon.fr
    amazon.it amazon.es amazon.nl amazon.se amazon.pl amazon.com.be amazon.ie amazon.com.tr
    amazon.ae amazon.sa amazon.eg amazon.in amazon.co.za amazon.co.jp amazon.com.au amazon.sg
    amazon.cn amazon.co amazon.com.sg""".split()
)
"""Every Amazon marketplace's retail domain; subdomains (sellercentral., smile.) included."""

AMAZON_SHORT_LINK_DOMAINS = frozenset("a.co amzn.to amzn.eu amzn.asia amzn.in".split())
"""Amazon's share and short-link redirectors (§4.2; ownership statement unconfirmed)."""


def is_amazon_host(host: str) -> bool:
    """True for Amazon's retail and short-link hosts and their subdomains."""
    parsed = parse_host(host)
    if parsed is None or parsed.is_ip:
        return False
    return (
        parsed.registered_domain in AMAZON_RETAIL_DOMAINS
        or parsed.registered_domain in AMAZON_SHORT_LINK_DOMAINS
    )


def is_amazon_email(address: str) -> bool:
    """True for @amazon.<tld> and @marketplace.amazon.<tld> (buyer relay) addresses."""
    _, at, domain = address.rpartition("@")
    if not at:
        return False
    parsed = parse_host(domain)
    return parsed is not None and parsed.registered_domain in AMAZON_RETAIL_DOMAINS


def phone_digits(number: str) -> str:
    """A number's digits in international form without `+`: "+1-888-280-4331" → "18882804331"."""
    digits = "".join(char for char in number if char.isdigit())
    if number.lstrip().startswith("00"):
        digits = digits[2:]
    elif len(digits) == 10 and not number.lstrip().startswith("+"):
        digits = "1" + digits  # a North American number written without its country code
    return digits


@lru_cache(maxsize=64)
def _allowed_digits(numbers: tuple[str, ...]) -> frozenset[str]:
    return frozenset(phone_digits(number) for number in numbers)


def is_amazon_phone(number: str, allowed_numbers: Iterable[str]) -> bool:
    """True when the number is one of the configured Amazon customer-service numbers."""
    return phone_digits(number) in _allowed_digits(tuple(allowed_numbers))
