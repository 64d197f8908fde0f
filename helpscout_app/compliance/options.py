"""Options a team can set for the detector (everything else is Amazon's rule, not a choice)."""

from __future__ import annotations

from dataclasses import dataclass

AMAZON_US_CUSTOMER_SERVICE = "+1-888-280-4331"
"""Amazon's US customer-service number (shared/reference/amazon.md §4.3)."""


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How strict `check()` is where the playbook leaves room.

    `allowed_phone_numbers`: Amazon customer-service numbers an agent may give a buyer.
    `allow_order_documents`: let through attachments Amazon permits for completing an order
    (instructions, warranty information, invoices); by default every attachment blocks, as the
    team's playbook says.
    """

    allowed_phone_numbers: tuple[str, ...] = (AMAZON_US_CUSTOMER_SERVICE,)
    allow_order_documents: bool = False


DEFAULT_OPTIONS = CheckOptions()
