"""Amazon marketplaces: IDs, countries and retail domains, the one table the project reads.

Copied from Amazon's SP-API marketplace ID page, as kept in reference/amazon.md §4.1
(https://developer-docs.amazon.com/sp-api/docs/marketplace-ids). Notification emails name their
marketplace in `X-Marketplace-ID`; a buyer relay address names it by its domain's TLD
(`…@marketplace.amazon.<tld>`, §3.2).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    """One Amazon marketplace: `marketplace_id` as SP-API and `X-Marketplace-ID` spell it."""

    marketplace_id: str
    country_code: str  # ISO 3166-1 alpha-2, "GB" for the UK
    country: str
    domain: str  # the retail domain, e.g. "amazon.co.uk"
    region: str  # the SP-API endpoint region: "NA", "EU" or "FE"

    @property
    def tld(self) -> str:
        """What follows `amazon.` in the domain, e.g. "co.uk"; also the relay domain's TLD."""
        return self.domain.removeprefix("amazon.")


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("ATVPDKIKX0DER", "US", "United States", "amazon.com", "NA"),
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Canada", "amazon.ca", "NA"),
    Marketplace("A1AM78C64UM0Y8", "MX", "Mexico", "amazon.com.mx", "NA"),
    Marketplace("A2Q3Y263D00KWC", "BR", "Brazil", "amazon.com.br", "NA"),
    Marketplace("A1F83G8C2ARO7P", "GB", "United Kingdom", "amazon.co.uk", "EU"),
    Marketplace("A1PA6795UKMFR9", "DE", "Germany", "amazon.de", "EU"),
    Marketplace("A13V1IB3VIYZZH", "FR", "France", "amazon.fr", "EU"),
    Marketplace("APJ6JRA9NG5V4", "IT", "Italy", "amazon.it", "EU"),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Spain", "amazon.es", "EU"),
    Marketplace("A1805IZSGTT6HS", "NL", "Netherlands", "amazon.nl", "EU"),
    Marketplace("A2NODRKZP88ZB9", "SE", "Sweden", "amazon.se", "EU"),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Poland", "amazon.pl", "EU"),
    Marketplace("AMEN7PMS3EDWL", "BE", "Belgium", "amazon.com.be", "EU"),
    Marketplace("A28R8C7NBKEWEA", "IE", "Ireland", "amazon.ie", "EU"),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Turkey", "amazon.com.tr", "EU"),
    Marketplace("A2VIGQ35RCS4UG", "AE", "United Arab Emirates", "amazon.ae", "EU"),
    Marketplace("A17E79C6D8DWNP", "SA", "Saudi Arabia", "amazon.sa", "EU"),
    Marketplace("ARBP9OOSHTCHU", "EG", "Egypt", "amazon.eg", "EU"),
    Marketplace("A21TJRUUN4KGV", "IN", "India", "amazon.in", "EU"),
    # Only the ID is Amazon-documented; the retail domain is UNCONFIRMED (§4.1).
    Marketplace("AE08WJ6YKNBMC", "ZA", "South Africa", "amazon.co.za", "EU"),
    Marketplace("A1VC38T7YXB528", "JP", "Japan", "amazon.co.jp", "FE"),
    Marketplace("A39IBJ37TRP1C6", "AU", "Australia", "amazon.com.au", "FE"),
    Marketplace("A19VAU5U5O7RUS", "SG", "Singapore", "amazon.sg", "FE"),
)
"""Every SP-API marketplace, in the order of Amazon's table."""

_BY_ID = {marketplace.marketplace_id: marketplace for marketplace in MARKETPLACES}
_BY_TLD = {marketplace.tld: marketplace for marketplace in MARKETPLACES}


def marketplace_by_id(marketplace_id: str) -> Marketplace | None:
    """The marketplace with this ID (surrounding spaces ignored, case as Amazon writes it)."""
    return _BY_ID.get(marketplace_id.strip())


def marketplace_by_tld(tld: str) -> Marketplace | None:
    """The marketplace whose domain is `amazon.<tld>` ("de", "co.uk"; any case)."""
    return _BY_TLD.get(tld.strip().lower())
