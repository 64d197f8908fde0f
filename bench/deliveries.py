"""Signed Help Scout webhook deliveries for the benches and drills, each one new to the app.

Built on demand from the agent-reply fixture's bytes with the conversation and thread ids
swapped (a replace and an HMAC, some microseconds), so a long run needs no pile of bodies built
in advance, and every delivery is recorded and queued, never skipped as a redelivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import threading
from dataclasses import dataclass

from bench.errors import BenchSetupError
from bench.inputs import REPO_ROOT
from bench.senders import post

WEBHOOK_PATH = "/webhooks/helpscout"
TEMPLATE = REPO_ROOT / "tests" / "fixtures" / "helpscout" / "webhooks"
TEMPLATE_FILE = TEMPLATE / "convo.agent.reply.created.with-phone.json"
EVENT_NAME = "convo.agent.reply.created"


def sign(secret: str, raw_body: bytes) -> str:
    """Help Scout's signature header: base64 of HMAC-SHA1 over the raw body.

    Computed here rather than with the app's own code, so the benches send what Help Scout
    would, not what the app expects.
    """
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha1).digest()).decode()


@dataclass(frozen=True)
class SignedDelivery:
    """One agent-reply delivery: its ids, its body and headers, and the key the app gives it."""

    conversation_id: int
    thread_id: int
    raw_body: bytes
    headers: dict[str, str]

    @property
    def delivery_key(self) -> str:
        return f"helpscout-convo_agent_reply_created-c{self.conversation_id}-t{self.thread_id}"


class DeliveryMaker:
    """Distinct agent-reply deliveries (a phone number in each) from the fixture, signed.

    Thread-safe; numbers never repeat. `first` sets where numbering starts, so several runs
    against one database never collide.
    """

    CONVERSATION_ID = b'"id": 3120419377'
    THREAD_ID = b'"id": 8812004511'

    def __init__(self, secret: str, first: int = 1) -> None:
        self._secret = secret
        self._template = TEMPLATE_FILE.read_bytes()
        for marker in (self.CONVERSATION_ID, self.THREAD_ID):
            if self._template.count(marker) != 1:
                raise BenchSetupError(f"{TEMPLATE_FILE.name} no longer holds {marker!r} once")
        self._numbers = itertools.count(first)
        self._lock = threading.Lock()

    def next(self) -> SignedDelivery:
        """A delivery no other call returned."""
        with self._lock:
            number = next(self._numbers)
        conversation_id, thread_id = 4_000_000_000 + number, 9_000_000_000 + number
        raw_body = self._template.replace(
            self.CONVERSATION_ID, b'"id": %d' % conversation_id
        ).replace(self.THREAD_ID, b'"id": %d' % thread_id)
        headers = {
            "Content-Type": "application/json",
            "X-HelpScout-Event": EVENT_NAME,
            "X-HelpScout-Signature": sign(self._secret, raw_body),
        }
        return SignedDelivery(conversation_id, thread_id, raw_body, headers)


def send_delivery(port: int, delivery: SignedDelivery, timeout_s: float = 10.0) -> str:
    """POST `delivery` to the webhook; the status, or the name of the error that stopped it."""
    return post(port, WEBHOOK_PATH, delivery.raw_body, delivery.headers, timeout_s)
