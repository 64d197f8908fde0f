"""The sidebar tests' case: the fixtures' conversation and order, the pinned time, and how
Help Scout signs sidebar requests (computed here, never by the code under test)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

LoadFixture = Callable[[str], bytes]

NOW = datetime(2026, 11, 20, 12, 14, 3, tzinfo=UTC)
CONVERSATION_ID = 3120419377
ORDER_ID = "112-4839201-5512347"
RELAY = "k7m2q9x4b1c8d3f@marketplace.amazon.com"
API_URL = "http://127.0.0.1:9/v2"  # the `settings` fixture's HELPSCOUT_API_URL
CONVERSATION_URL = f"{API_URL}/conversations/{CONVERSATION_ID}"
SP_API_URL = "https://sp-api.test"
LWA_URL = "https://lwa.test/auth/o2/token"
ORDER_URL = f"{SP_API_URL}/orders/v0/orders/{ORDER_ID}"
SOLICITATIONS_URL = f"{SP_API_URL}/solicitations/v1/orders/{ORDER_ID}"


def sign(secret: str, message: bytes) -> str:
    """base64(HMAC-SHA1), computed here rather than by the code under test."""
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha1).digest()).decode()


def php_json(params: dict[str, str]) -> bytes:
    """PHP's json_encode of the query parameters, as Help Scout's guide signs them."""
    return json.dumps(params, separators=(",", ":")).replace("/", "\\/").encode()


class SidebarCaller:
    """Signed sidebar requests, as Help Scout sends them."""

    def __init__(self, client: FlaskClient, secret: str, load_fixture: LoadFixture) -> None:
        self.client = client
        self.secret = secret
        self.load_fixture = load_fixture

    def dynamic(self, fixture: str = "dynamic.json") -> TestResponse:
        raw_body = self.load_fixture(f"helpscout/sidebar/{fixture}")
        return self.client.post(
            "/sidebar/dynamic",
            data=raw_body,
            headers={"X-HelpScout-Signature": sign(self.secret, raw_body)},
            content_type="application/json",
        )

    def app_url(self, **params: str) -> str:
        values = {"conversation-id": str(CONVERSATION_ID), **params}
        signature = sign(self.secret, php_json(values))
        return "/sidebar/app?" + urlencode({**values, "X-HelpScout-Signature": signature})

    def app(self, **params: str) -> TestResponse:
        return self.client.get(self.app_url(**params))
