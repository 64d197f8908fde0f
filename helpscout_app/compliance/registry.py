"""Every recognizer the detector runs, in order: the whole detector on one screen."""

from __future__ import annotations

from helpscout_app.compliance.keywords import KeywordIndex
from helpscout_app.compliance.recognizers import (
    email,
    obfuscated_email,
    obfuscated_url,
    phone,
    policy,
    spelled_phone,
    url,
    vanity_phone,
)
from helpscout_app.compliance.scan import Recognizer

RECOGNIZERS: tuple[Recognizer, ...] = (
    url.RECOGNIZER,  # scheme, www., bare-domain, protocol-relative and IP links
    obfuscated_url.RECOGNIZER,  # "acme dot com", "acme[.]com", "w w w . acme . c o m"
    email.RECOGNIZER,  # plain and mailto: addresses
    obfuscated_email.RECOGNIZER,  # "name at domain dot com", "[at]", "＠"
    phone.RECOGNIZER,  # dialable numbers, spaced digits, letter O for zero, tel: links
    spelled_phone.RECOGNIZER,  # "five five five one two three …"
    vanity_phone.RECOGNIZER,  # "1-800-FLOWERS"
    policy.RECOGNIZER,  # playbook warnings: return instructions, review wording, emoji …
)
"""Attachments are judged separately (`recognizers/attachment.py`): they are not text."""

KEYWORD_INDEX = KeywordIndex(word for recognizer in RECOGNIZERS for word in recognizer.keywords)
"""Every recognizer's keywords, found in one pass per text (`Scan.keyword_positions`)."""
