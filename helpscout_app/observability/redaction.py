"""Log redaction: credentials and message bodies never reach a log line, whoever logs them.

A structlog processor (`Redactor`) that runs last before rendering, on structlog events and on
stdlib records alike, so a library's log line or a careless `log.info("%s", url)` is masked too:

- values under keys that name a credential (`authorization`, `…token`, `…secret`, `password`,
  `cookie`, `api_key`) or a message body (`body`, `text`, `html`, `payload`, `…_body`) become
  `[REDACTED]`, at any depth;
- inside every string (the message itself, the rendered exception): credentials in URLs
  (`imaps://user:pass@host` → `imaps://***@host`), `Bearer`/`Basic` credentials, and every
  secret value the process was configured with (the settings' `SecretStr`s).

It also owns how one configured URL is shown to an operator (`masked_url`, for doctor), so the
rules for hiding URL credentials live in one place.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
MASK = "***"

MIN_SECRET_LENGTH = 6
"""Shorter configured secrets are not searched for in strings: masking every "abc" would make
logs unreadable, and a secret that short is guessable anyway."""

MAX_DEPTH = 8
"""Nested values deeper than this are replaced whole: a log field is never that deep on purpose."""

_CREDENTIAL_KEY = re.compile(
    r"(?:^|_)(?:authorization|token|secret|password|passwd|cookie|api_?key|credentials?)$"
)
_BODY_KEY = re.compile(r"^(?:body|text|html|payload|content)$|_(?:body|html|text)$")

_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")
_AUTH_SCHEME = re.compile(r"(?i)\b(?P<scheme>bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_MASKED_USERINFO = rf"\g<scheme>{MASK}@"
_MASKED_AUTH = rf"\g<scheme> {MASK}"
_AUTH_SCHEME_HINT = re.compile(r"(?i)bearer|basic")
"""What every `_AUTH_SCHEME` match holds: searched first, since most strings hold neither word
and a search is cheaper than a substitution (the redactor runs on every string of every line)."""

_SECRET_QUERY_NAMES = ("pass", "secret", "token", "key")
"""A query parameter whose name holds one of these is a credential (`?password=`, `?token=`)."""


def masked_url(url: str) -> str:
    """`url` with its password (and any password-like query value) replaced by `***`.

    For showing one URL the operator configured: the user, host and path stay, so they can tell
    which account and server it names. Free text goes through `mask_url_credentials` instead.
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:{MASK}@{host}"
    query = urlencode(
        [
            (name, MASK if any(word in name.lower() for word in _SECRET_QUERY_NAMES) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    if "://" in url:  # urlunsplit would drop the "//" of an empty host (unix:///path)
        return (
            f"{parts.scheme}://{netloc}{parts.path}"
            + (f"?{query}" if query else "")
            + (f"#{parts.fragment}" if parts.fragment else "")
        )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def mask_url_credentials(text: str) -> str:
    """`text` with the whole userinfo of every URL in it replaced by `***`.

    For free text (log lines), where a URL cannot be parsed on its own and a lone `token@host`
    userinfo is as likely a credential as a user name, so the user goes too. Never raises.
    """
    if "://" not in text:  # what every match holds; most log strings hold no URL at all
        return text
    return _URL_USERINFO.sub(_MASKED_USERINFO, text)


@functools.lru_cache(maxsize=1024)
def is_sensitive_key(key: str) -> bool:
    """True for a field name whose value is a credential or a message body.

    Cached: a log line's field names are nearly always the same few dozen, and each is asked
    about on every line.
    """
    normalized = key.strip().lower().replace("-", "_")
    return bool(_CREDENTIAL_KEY.search(normalized) or _BODY_KEY.search(normalized))


class Redactor:
    """structlog processor masking what `redaction` says; `secrets` are literal values to mask."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is masked whole.
        ordered = sorted(values, key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(
        self, _logger: Any, _method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key, value in list(event_dict.items()):
            event_dict[key] = self._field(key, value, 0)
        return event_dict

    def mask_string(self, text: str) -> str:
        """`text` with URL credentials, authorization credentials and known secrets masked."""
        if self._secrets is not None:
            text = self._secrets.sub(MASK, text)
        text = mask_url_credentials(text)
        if _AUTH_SCHEME_HINT.search(text) is None:
            return text
        return _AUTH_SCHEME.sub(_MASKED_AUTH, text)

    def _field(self, key: Any, value: Any, depth: int) -> Any:
        if isinstance(key, str) and key != "event" and is_sensitive_key(key):
            return REDACTED if value is not None else None
        return self._value(value, depth)

    def _value(self, value: Any, depth: int) -> Any:
        if isinstance(value, str) and depth < MAX_DEPTH:  # the common case, first
            return self.mask_string(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if depth >= MAX_DEPTH:
            return REDACTED
        if isinstance(value, Mapping):
            return {key: self._field(key, item, depth + 1) for key, item in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self._value(item, depth + 1) for item in value]
        if isinstance(value, bytes | bytearray):
            return REDACTED  # raw bytes in a log line are a body more often than not
        # Anything else is rendered with str() by the renderer: mask that string now.
        return self.mask_string(str(value))
