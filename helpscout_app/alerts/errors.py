"""Errors of the alerts package."""

from __future__ import annotations


class AlertDeliveryError(Exception):
    """Slack did not take an alert (an HTTP error, a Slack API error, or no connection).

    The message says what Slack answered, never the webhook URL or the token. Transient as far
    as amz-guard can tell: the job that raised it releases the alert's claim and is retried.
    """
