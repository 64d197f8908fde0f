"""Host names judged against the Public Suffix List (tldextract's bundled snapshot, no network)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import NamedTuple

import tldextract

# suffix_list_urls=() and cache_dir=None: use the snapshot shipped inside the package and never
# fetch or write anything, so checking a reply stays pure and works offline.
_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False
)

MAX_HOST_LENGTH = 253
"""DNS limit; anything longer is not a host name, whatever it looks like."""

COMMON_TLDS = frozenset(
    """com net org info biz edu gov mil int io co ai app dev me tv cc ly gl gg to sh
    shop store online site website web tech xyz club top live life link click email help support
    news media agency company solutions services digital global group world today network systems
    center design studio space page pro name mobi asia eu travel jobs fun icu buzz ink wiki zone
    social team tools guru expert market sale deals discount coupons review reviews cloud blog
    chat care fit vip win bid work one plus art photo photos pics video tube fm am radio games
    business center family health clinic repair parts direct express fashion style beauty toys
    baby pet pets home house garden kitchen""".split()
)
"""Top-level domains common enough to trust in an obfuscated or bare mention.

Every two-letter country code counts too (`is_common_tld`). Rarer generic TLDs such as `.now`
or `.today` are English words, and a missing space after a full stop ("arrived today.now")
would otherwise read as a domain.
"""


class Host(NamedTuple):
    """A host split by the Public Suffix List."""

    registered_domain: str  # "acme.co.uk"; the IP itself for an IP address
    suffix: str  # "co.uk"; "" for an IP address
    is_ip: bool


def is_common_tld(label: str) -> bool:
    label = label.lower()
    if not label.isascii() or label.startswith("xn--"):
        return True  # internationalized TLDs (.рф, .中国) are country codes or brands
    return (len(label) == 2 and label.isalpha()) or label in COMMON_TLDS


@lru_cache(maxsize=8192)
def parse_host(host: str) -> Host | None:
    """The host's registered domain and public suffix, or None when it is not a public host."""
    host = host.strip(".").lower()
    if not host or len(host) > MAX_HOST_LENGTH:
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return Host(str(address), "", True)
    parts = _EXTRACT(host)
    if not parts.suffix or not parts.domain:
        return None
    return Host(f"{parts.domain}.{parts.suffix}", parts.suffix, False)
