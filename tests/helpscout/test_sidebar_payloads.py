"""Reading what a sidebar request says: the iframe app's signed query parameters."""

from __future__ import annotations

import pytest

from helpscout_app.helpscout.sidebar_payloads import parse_app_request


def test_the_iframe_parameters_are_read() -> None:
    request = parse_app_request({"conversation-id": "3120419377", "mailbox-id": "101"})

    assert request.conversation_id == 3120419377 and request.mailbox_id == 101


@pytest.mark.parametrize("value", ["\u00b2", "\u0661\u0664", "\uff11", "-1", "1e3", ""])
def test_anything_but_ascii_digits_reads_as_unknown(value: str) -> None:
    """Unicode digits pass str.isdigit() but int() refuses "²": that was a 500."""
    request = parse_app_request({"conversation-id": value, "user-id": value, "mailbox-id": value})

    assert request.conversation_id is None and request.user_id is None
    assert request.mailbox_id is None
