"""Errors the Amazon package raises; each says what went wrong and what to look at."""

from __future__ import annotations


class AmazonError(Exception):
    """Base of the errors below, for a caller that handles every Amazon-side failure alike."""


class UnparseableNotification(AmazonError):
    """A notification email cannot be read as an email at all (`reason` says why).

    Callers keep the raw message and report it; nothing is dropped silently. `message_id` is the
    Message-ID header when one could be read, else one derived from the raw bytes, so the caller
    can still record the message once and only once.
    """

    def __init__(self, reason: str, *, message_id: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_id = message_id


class NotificationSourceError(AmazonError):
    """The notification mailbox (IMAP server or Maildir) cannot be opened or read.

    The message names the host or path and the folder, never the credentials.
    """
