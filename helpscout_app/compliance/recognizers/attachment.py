"""Attachments on a reply to an Amazon buyer.

The team's playbook blocks every attachment. Amazon itself permits only what completes the
order — product instructions, warranty information, invoices (shared/reference/amazon.md
§1.3, §1.6) — and `CheckOptions.allow_order_documents` lets those through.

Catches:  "catalog.pdf", "photo.jpg", "setup.exe"; with the option also "invoice.exe"
Leaves:   with the option only: "invoice-123.pdf", "Warranty card.png", "user-manual.pdf"
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from helpscout_app.compliance.options import CheckOptions

ORDER_DOCUMENT_NAME = re.compile(
    r"invoice|receipt|warranty|guarantee|instruction|manual|guide|quick[-_ ]?start|setup|"
    r"rechnung|garantie|anleitung|facture|notice|factura|garant[ií]a|instrucciones|fattura|"
    r"garanzia|istruzioni|manuale|ricevuta|quittung|recibo",
    re.IGNORECASE,
)
"""Names of the documents Amazon permits: instructions, warranty information, invoices."""

ORDER_DOCUMENT_TYPES = frozenset("pdf txt doc docx odt rtf png jpg jpeg gif tif tiff bmp".split())
"""Document and image formats; executables, archives and the like never pass."""


def _is_order_document(name: str) -> bool:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension in ORDER_DOCUMENT_TYPES and bool(ORDER_DOCUMENT_NAME.search(name))


def find_blocked_attachments(
    names: Iterable[str], options: CheckOptions
) -> Iterator[tuple[str, str, str]]:
    """(rule, file name, message) for every attachment that may not go to the buyer."""
    for name in names:
        if not options.allow_order_documents:
            yield (
                "attachment.any",
                name,
                "Attachment: the playbook sends no attachments to Amazon buyers.",
            )
        elif not _is_order_document(name):
            yield (
                "attachment.not_permitted",
                name,
                "Attachment Amazon does not permit: only instructions, warranty or invoice.",
            )
