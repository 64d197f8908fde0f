"""Amazon buyer relay addresses: what counts as one, and the look-alikes that do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpscout_app.amazon.relay_address import (
    MARKETPLACE_TLDS,
    RelayAddress,
    find_relay_addresses,
    is_relay_address,
    parse_relay_address,
)

# Made-up aliases in the observed shape: 15 lowercase letters and digits (reference/amazon.md §3.2).
ALIAS = "k7m2q9x4b1c8d3f"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # catches
        (f"{ALIAS}@marketplace.amazon.com", RelayAddress(ALIAS, None, "com")),
        (f"{ALIAS}@marketplace.amazon.co.uk", RelayAddress(ALIAS, None, "co.uk")),
        (f"{ALIAS}@marketplace.amazon.com.br", RelayAddress(ALIAS, None, "com.br")),
        (f"{ALIAS}@marketplace.amazon.com.be", RelayAddress(ALIAS, None, "com.be")),
        (f"{ALIAS}+133a066e@marketplace.amazon.de", RelayAddress(ALIAS, "133a066e", "de")),
        (
            f"{ALIAS}+0f8fad5b-d9cb-469f-a165-70867728950e@marketplace.amazon.com.br",
            RelayAddress(ALIAS, "0f8fad5b-d9cb-469f-a165-70867728950e", "com.br"),
        ),
        (
            "no-reply-amazon-iba-buyer@marketplace.amazon.it",
            RelayAddress("no-reply-amazon-iba-buyer", None, "it"),
        ),
        (f"{ALIAS.upper()}@Marketplace.Amazon.COM", RelayAddress(ALIAS, None, "com")),
        (f"  {ALIAS}@marketplace.amazon.fr\n", RelayAddress(ALIAS, None, "fr")),
    ],
)
def test_parses_relay_addresses(address: str, expected: RelayAddress) -> None:
    assert parse_relay_address(address) == expected
    assert is_relay_address(address)


@pytest.mark.parametrize(
    "address",
    [
        # leaves alone: look-alike domains
        f"{ALIAS}@marketplace.amazon.com.evil.ru",
        f"{ALIAS}@marketplace.amazon.com.",
        f"{ALIAS}@marketplace-amazon.com",
        f"{ALIAS}@marketplace.amazon-mail.com",
        f"{ALIAS}@marketplaceamazon.com",
        f"{ALIAS}@evil.marketplace.amazon.com",
        f"{ALIAS}@marketplace.amazon.evil.com",
        f"{ALIAS}@marketplace.amazon.com@evil.ru",
        f"{ALIAS}@amazon.com",
        f"{ALIAS}@marketplace.amazon",
        # leaves alone: marketplaces without relay mail (cn) or not confirmed (co.za)
        f"{ALIAS}@marketplace.amazon.cn",
        f"{ALIAS}@marketplace.amazon.co.za",
        # leaves alone: not a bare address
        f'"Jordan - Amazon Marketplace" <{ALIAS}@marketplace.amazon.com>',
        f"<{ALIAS}@marketplace.amazon.com>",
        f"mailto:{ALIAS}@marketplace.amazon.com",
        f"{ALIAS}@marketplace.amazon.com, other@example.com",
        # leaves alone: broken local parts and suffixes
        "@marketplace.amazon.com",
        "+suffix@marketplace.amazon.com",
        f"{ALIAS}+@marketplace.amazon.com",
        f"{ALIAS}+a+b@marketplace.amazon.com",
        f"{ALIAS}+a_b@marketplace.amazon.com",
        f".{ALIAS}@marketplace.amazon.com",
        f"{ALIAS} x@marketplace.amazon.com",
        # leaves alone: non-ASCII that case-folds to ASCII (Kelvin sign, long s)
        "\u212a7m2q9x4b1c8d3f@marketplace.amazon.com",
        "\u017fz2y5ywh1qg1vhx@marketplace.amazon.com",
        # leaves alone: not addresses
        "",
        "pat@example.com",
    ],
)
def test_leaves_look_alikes_and_other_addresses(address: str) -> None:
    assert parse_relay_address(address) is None
    assert not is_relay_address(address)


@pytest.mark.parametrize("not_text", [None, 42, b"k7m2q9x4b1c8d3f@marketplace.amazon.com", ["x"]])
def test_non_strings_are_not_relay_addresses(not_text: object) -> None:
    assert parse_relay_address(not_text) is None


def test_buyer_address_drops_the_case_suffix_address_keeps_it() -> None:
    relay = parse_relay_address(f"{ALIAS}+133a066e@marketplace.amazon.com")
    assert relay is not None
    assert relay.address == f"{ALIAS}+133a066e@marketplace.amazon.com"
    assert relay.buyer_address == f"{ALIAS}@marketplace.amazon.com"
    assert relay.domain == "marketplace.amazon.com"


def test_every_listed_marketplace_is_recognized() -> None:
    assert len(MARKETPLACE_TLDS) == 22  # reference/amazon.md §3.2
    for tld in MARKETPLACE_TLDS:
        assert parse_relay_address(f"{ALIAS}@marketplace.amazon.{tld}") == RelayAddress(
            ALIAS, None, tld
        )


# --- properties ---------------------------------------------------------------------------------

aliases = st.from_regex(r"[a-z0-9]{1,32}", fullmatch=True)
suffixes = st.none() | st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True)
tlds = st.sampled_from(MARKETPLACE_TLDS)


@given(alias=aliases, suffix=suffixes, tld=tlds)
def test_round_trip(alias: str, suffix: str | None, tld: str) -> None:
    local = f"{alias}+{suffix}" if suffix else alias
    relay = parse_relay_address(f"{local}@marketplace.amazon.{tld}")
    assert relay == RelayAddress(alias, suffix, tld)
    assert relay is not None and parse_relay_address(relay.address) == relay


@given(alias=aliases, tld=tlds, tail=st.text(min_size=1).filter(lambda tail: tail.strip()))
def test_anything_after_the_domain_is_rejected(alias: str, tld: str, tail: str) -> None:
    address = f"{alias}@marketplace.amazon.{tld}{tail}"
    relay = parse_relay_address(address)
    # Only a tail that completes another listed marketplace (".com" + ".br") may still parse.
    assert relay is None or relay.tld != tld


@given(address=st.text())
def test_never_raises_and_whatever_parses_is_ascii_on_an_amazon_marketplace(address: str) -> None:
    relay = parse_relay_address(address)
    if relay is not None:
        assert relay.address.isascii()
        assert relay.domain.removeprefix("marketplace.amazon.") in MARKETPLACE_TLDS
        assert address.strip().lower().endswith(relay.domain)


def test_finds_relay_addresses_in_a_header_in_order() -> None:
    header = (
        f'"Jordan - Amazon Marketplace" <{ALIAS}@marketplace.amazon.com>, '
        f"other@example.com, {ALIAS}+case-1@marketplace.amazon.co.uk"
    )

    found = find_relay_addresses(header)

    assert found == [RelayAddress(ALIAS, None, "com"), RelayAddress(ALIAS, "case-1", "co.uk")]
    assert find_relay_addresses(f"x{ALIAS}@marketplace.amazon.com.evil.example") == []


@given(
    alias=aliases,
    suffix=suffixes,
    tld=tlds,
    name=st.text(alphabet=st.characters(blacklist_characters='<>@"\\'), max_size=30),
)
def test_an_address_written_in_a_header_is_found_as_parsed(
    alias: str, suffix: str | None, tld: str, name: str
) -> None:
    local = f"{alias}+{suffix}" if suffix else alias
    address = f"{local}@marketplace.amazon.{tld}"

    found = find_relay_addresses(f'"{name}" <{address}>, someone@example.com')

    assert found == [parse_relay_address(address)]
