"""The redaction processor: what it masks, and what it leaves alone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpscout_app.observability.redaction import (
    MASK,
    REDACTED,
    Redactor,
    is_sensitive_key,
    mask_url_credentials,
    masked_url,
)

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
        ("retry with BEARER eyJ.x", f"retry with BEARER {MASK}"),
        (
            "GET https://u:pw@api.example/v2 (Basic dXNl)",
            f"GET https://{MASK}@api.example/v2 (Basic {MASK})",
        ),
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


# --- one URL shown to the operator (doctor) ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:s3cret@redis:6379/0", "redis://:***@redis:6379/0"),
        ("rediss://user:s3cret@redis:6380/1", "rediss://user:***@redis:6380/1"),
        ("unix:///run/redis.sock?db=2&password=s3cret", "unix:///run/redis.sock?db=2&password=***"),
        ("imaps://amz:p%40ss@imap.example.com/INBOX", "imaps://amz:***@imap.example.com/INBOX"),
        ("maildir:/var/mail/amazon", "maildir:/var/mail/amazon"),
    ],
)
def test_masked_url(url: str, shown: str) -> None:
    assert masked_url(url) == shown


# --- properties of both URL maskers --------------------------------------------------------------

# Hosts, users and paths are lower-case; every password holds an upper-case letter, so "the
# password is not in the output" cannot pass or fail by a chance overlap with the rest.
_schemes = st.sampled_from(["redis", "rediss", "imaps", "postgresql+psycopg", "https"])
_hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True)
_ports = st.none() | st.integers(min_value=1, max_value=65535)
_paths = st.from_regex(r"(/[a-z0-9._-]{0,8}){0,3}", fullmatch=True)
_users = st.from_regex(r"[a-z0-9._-]{0,8}", fullmatch=True)
# Unreserved and sub-delimiter characters plus percent-escapes: what may stand in userinfo.
_passwords = st.from_regex(
    r"[A-Za-z0-9._~!$&'()*+,;=-]*[A-Z][A-Za-z0-9._~!$&'()*+,;=-]*", fullmatch=True
)


def _url(scheme: str, userinfo: str, host: str, port: int | None, path: str) -> str:
    return f"{scheme}://{userinfo}{host}{'' if port is None else f':{port}'}{path}"


@given(_schemes, _users, _passwords, _hosts, _ports, _paths)
def test_masked_url_never_shows_the_password(
    scheme: str, user: str, password: str, host: str, port: int | None, path: str
) -> None:
    shown = masked_url(_url(scheme, f"{user}:{password}@", host, port, path))

    assert password not in shown
    assert urlsplit(shown).hostname == host
    assert urlsplit(shown).username == user


@given(_schemes, _users, _passwords, _hosts, _ports, _paths)
def test_log_text_never_shows_the_password(
    scheme: str, user: str, password: str, host: str, port: int | None, path: str
) -> None:
    url = _url(scheme, f"{user}:{password}@", host, port, path)

    masked = mask_url_credentials(f"connecting to {url} now")

    assert password not in masked
    assert f"{MASK}@{host}" in masked


@given(_schemes, _hosts, _ports, _paths)
def test_urls_without_userinfo_are_unchanged(
    scheme: str, host: str, port: int | None, path: str
) -> None:
    url = _url(scheme, "", host, port, path)

    assert masked_url(url) == url
    assert mask_url_credentials(url) == url
