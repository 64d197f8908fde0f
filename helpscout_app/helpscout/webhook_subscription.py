"""amz-guard's Help Scout webhook: which registered webhook is ours, and what is wrong with it.

Shared by `amz-guard helpscout register-webhook` (before creating one) and `amz-guard doctor`
(which does not know the public URL, only the path every amz-guard serves it on).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

WEBHOOK_PATH = "/webhooks/helpscout"
"""Where the web app receives Help Scout's deliveries (`helpscout_app/web/webhooks.py`)."""


def same_url(registered: object, url: str) -> bool:
    """True when Help Scout's `url` of a webhook is `url`, give or take a trailing slash."""
    return isinstance(registered, str) and registered.rstrip("/") == url.rstrip("/")


def is_amz_guard_url(registered: object) -> bool:
    """True when a webhook's `url` ends in amz-guard's path, whatever the host."""
    return isinstance(registered, str) and registered.rstrip("/").endswith(WEBHOOK_PATH)


def webhook_problems(webhook: Mapping[str, Any], needed: Sequence[str]) -> list[str]:
    """What keeps `webhook` (a List Webhooks item) from serving amz-guard, one phrase each:
    not enabled, or not sending some of the `needed` events. Empty when it works."""
    problems = []
    if webhook.get("state") != "enabled":
        problems.append(f"it is {webhook.get('state') or 'in an unknown state'}")
    events = webhook.get("events") if isinstance(webhook.get("events"), list) else []
    missing = [event for event in needed if event not in events]
    if missing:
        problems.append(f"it does not send {', '.join(missing)}")
    return problems
