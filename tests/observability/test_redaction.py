"""The redaction processor: what it masks, and what it leaves alone."""

from __future__ import annotations

from typing import Any

import pytest

from helpscout_app.observability.redaction import MASK, REDACTED, Redactor, is_sensitive_key

SECRET = "whsec-Zx81-abcdef"


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [
        # masked
        ("authorization", True),
        ("Authorization", True),
        ("access_token", True),
        ("token", True),
        ("app_secret", True),
        ("password", True),
        ("X-Api-Key", True),
        ("body", True),
        ("text", True),
        ("html", True),
        ("payload", True),
        ("raw_body", True),
        ("note_text", True),
        # left alone
        ("event", False),
        ("token_requests", False),
        ("conversation_id", False),
        ("delivery_key", False),
        ("outcome", False),
        ("texture", False),
    ],
)
def test_sensitive_keys(key: str, sensitive: bool) -> None:
    assert is_sensitive_key(key) is sensitive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # masked
        ("imaps://amz:hunter22@imap.example.com/INBOX", f"imaps://{MASK}@imap.example.com/INBOX"),
        ("postgresql://u:p@db:5432/amz", f"postgresql://{MASK}@db:5432/amz"),
        ("Authorization: Bearer eyJhbGciOi.J9", f"Authorization: Bearer {MASK}"),
        ("basic dXNlcjpwYXNz", f"basic {MASK}"),
        (f"secret is {SECRET}!", f"secret is {MASK}!"),
        (f"https://hooks.example/{SECRET}/x", f"https://hooks.example/{MASK}/x"),
        # left alone
        (
            "https://api.helpscout.net/v2/conversations/12",
            "https://api.helpscout.net/v2/conversations/12",
        ),
        (
            "order 111-2223334-4445556 for buyer@example.com",
            "order 111-2223334-4445556 for buyer@example.com",
        ),
    ],
)
def test_strings_are_masked(text: str, expected: str) -> None:
    assert Redactor([SECRET]).mask_string(text) == expected


def test_nested_fields_are_redacted_by_key_and_by_value() -> None:
    event: dict[str, Any] = {
        "event": f"connecting with {SECRET}",
        "kwargs": {"payload": {"threads": [{"body": "call me at 555"}]}, "conversation_id": 7},
        "headers": [{"authorization": "Bearer abc"}],
        "raw": b"bytes",
        "count": 3,
        "missing": None,
    }

    redacted = Redactor([SECRET])(None, "info", event)

    assert redacted == {
        "event": f"connecting with {MASK}",
        "kwargs": {"payload": REDACTED, "conversation_id": 7},
        "headers": [{"authorization": REDACTED}],
        "raw": REDACTED,
        "count": 3,
        "missing": None,
    }


def test_short_secrets_are_not_searched_for() -> None:
    assert Redactor(["abc"]).mask_string("abc def") == "abc def"
