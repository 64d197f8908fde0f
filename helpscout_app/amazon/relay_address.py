"""Amazon buyer relay addresses: the anonymised `<alias>@marketplace.amazon.<tld>` of a buyer.

Amazon gives each buyer one alias per seller, stable across contacts; newer notifications add a
case suffix (`<alias>+<suffix>@…`). Replies go to the exact address, suffix included; the buyer
is the alias without the suffix (reference/amazon.md §3.2).

Catches:  "k7m2q9x4b1c8d3f@marketplace.amazon.com",
          "k7m2q9x4b1c8d3f+133a066e@marketplace.amazon.de",
          "no-reply-amazon-iba-buyer@marketplace.amazon.it" (Amazon Business's shared alias)
Leaves:   "x@marketplace.amazon.com.evil.ru", "x@marketplace-amazon.com", "x@amazon.com",
          "x@evil.marketplace.amazon.com", "x@marketplace.amazon.cn" (no such marketplace relay)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKETPLACE_TLDS: tuple[str, ...] = (
    "com", "co.uk", "de", "fr", "it", "es", "co.jp", "ca", "com.mx", "com.au", "ae",
    "in", "sg", "nl", "se", "pl", "com.tr", "com.br", "eg", "sa", "com.be", "ie",
)  # fmt: skip
"""The marketplaces whose relay domain has mail servers: the 22 of reference/amazon.md §3.2.

`cn` is left out (no MX record); `co.za` is UNCONFIRMED there, so it is left out until seen.
"""

RELAY_DOMAIN_PREFIX = "marketplace.amazon."

# Anchored at both ends (fullmatch), ASCII only: with IGNORECASE alone, [a-z] would also match
# the Kelvin sign and the long s. Observed aliases are 15 lowercase letters and digits; the local
# part is kept looser (dots, dashes, underscores) because Amazon Business's shared alias has
# dashes, and a look-alike is a matter of the domain, which is exact.
_RELAY_ADDRESS = re.compile(
    r"(?P<alias>[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?)"
    r"(?:\+(?P<suffix>[a-z0-9-]{1,64}))?"
    r"@marketplace\.amazon\.(?P<tld>"
    + "|".join(re.escape(tld) for tld in sorted(MARKETPLACE_TLDS, key=len, reverse=True))
    + r")",
    re.ASCII | re.IGNORECASE,
)


@dataclass(frozen=True)
class RelayAddress:
    """A parsed relay address; `alias` and `tld` lower-cased, `suffix` as written."""

    alias: str
    suffix: str | None
    tld: str

    @property
    def domain(self) -> str:
        """`marketplace.amazon.<tld>`."""
        return f"{RELAY_DOMAIN_PREFIX}{self.tld}"

    @property
    def address(self) -> str:
        """The address to reply to, suffix included."""
        local = f"{self.alias}+{self.suffix}" if self.suffix else self.alias
        return f"{local}@{self.domain}"

    @property
    def buyer_address(self) -> str:
        """The address without the case suffix: one buyer across all their cases."""
        return f"{self.alias}@{self.domain}"


def parse_relay_address(address: object) -> RelayAddress | None:
    """The relay address in `address` (a bare address, surrounding spaces allowed), or None.

    None for anything else, including a display-name form (`"Jo" <…>`): take the address out
    with `email.utils.parseaddr` first. Never raises.
    """
    if not isinstance(address, str):
        return None
    match = _RELAY_ADDRESS.fullmatch(address.strip())
    if match is None:
        return None
    return RelayAddress(
        alias=match["alias"].lower(), suffix=match["suffix"], tld=match["tld"].lower()
    )


_RELAY_IN_TEXT = re.compile(
    r"(?<![a-z0-9._%+-])" + _RELAY_ADDRESS.pattern + r"(?![a-z0-9-]|\.[a-z0-9])",
    re.ASCII | re.IGNORECASE,
)


def find_relay_addresses(text: str) -> list[RelayAddress]:
    """Every relay address written in `text` (an address header, say), in order.

    A scan, not an RFC 5322 parse: a tenth of the cost of `email.utils.getaddresses`, and an
    address header names each address whole.
    """
    return [
        RelayAddress(alias=m["alias"].lower(), suffix=m["suffix"], tld=m["tld"].lower())
        for m in _RELAY_IN_TEXT.finditer(text)
    ]


def is_relay_address(address: object) -> bool:
    """True when `address` is an Amazon buyer relay address (see `parse_relay_address`)."""
    return parse_relay_address(address) is not None
