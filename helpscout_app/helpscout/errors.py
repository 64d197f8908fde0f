"""Errors the Help Scout package raises; each says what went wrong and what to look at.

`ConfigurationError` (missing credentials) is not here: it lives in `helpscout_app.settings` and
stands apart from these on purpose, so no handler of Help Scout errors can swallow it.
"""

from __future__ import annotations

from typing import Any


class HelpScoutError(Exception):
    """Base of the errors below, for a caller that handles every Help Scout failure alike."""


class InvalidSignature(HelpScoutError):
    """A webhook or sidebar request is not signed with our secret: refuse it (401)."""


class MalformedPayload(HelpScoutError):
    """A signed webhook body cannot be read as the event it claims to be (400, with the reason)."""


class HelpScoutAPIError(HelpScoutError):
    """The Mailbox API refused a request, failed, or could not be reached.

    `status` is None when no response arrived (connection error, timeout). `error_body` is Help
    Scout's parsed error document (`message`, `logRef`, `_embedded.errors`) when it sent one; it
    can echo submitted values, so it is kept for the caller and not put in the message.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status: int | None = None,
        error_body: Any = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status = status
        self.error_body = error_body


class RateLimited(HelpScoutAPIError):
    """Help Scout kept answering 429 longer than the client waits; retry after `retry_after_s`."""

    def __init__(self, message: str, *, method: str, url: str, retry_after_s: float) -> None:
        super().__init__(message, method=method, url=url, status=429)
        self.retry_after_s = retry_after_s
