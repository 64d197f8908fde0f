"""Every signed route refuses a missing, empty, wrong or replayed-onto-another-body signature.

One table of routes, one test per way to fail, as anymail's shared webhook auth suite does. A
route signed by Help Scout joins `SIGNED_ROUTES` (the webhook and both sidebar apps) and gets
every case below. A refused request stores and queues nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from helpscout_app.settings import Settings
from helpscout_app.store.models import WebhookDelivery
from workers.queues import QUEUE_NAMES, queue_for


def header_signature(secret: str, raw_body: bytes) -> str:
    """base64(HMAC-SHA1(secret, body)), computed here, not by the code under test."""
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha1).digest()).decode()


@dataclass(frozen=True)
class SignedRoute:
    """A route Help Scout signs: how to call it with a body and a signature (None: no header)."""

    name: str
    raw_body: bytes
    call: Callable[[FlaskClient, bytes, str | None], TestResponse]
    secret: Callable[[Settings], str]


def _post_webhook(client: FlaskClient, raw_body: bytes, signature: str | None) -> TestResponse:
    headers = {"X-HelpScout-Event": "convo.agent.reply.created"}
    if signature is not None:
        headers["X-HelpScout-Signature"] = signature
    return client.post("/webhooks/helpscout", data=raw_body, headers=headers)


def _webhook_secret(settings: Settings) -> str:
    assert settings.helpscout_webhook_secret is not None
    return settings.helpscout_webhook_secret.get_secret_value()


def _post_sidebar(client: FlaskClient, raw_body: bytes, signature: str | None) -> TestResponse:
    headers = {} if signature is None else {"X-HelpScout-Signature": signature}
    return client.post("/sidebar/dynamic", data=raw_body, headers=headers)


def _get_sidebar_app(client: FlaskClient, raw_body: bytes, signature: str | None) -> TestResponse:
    """The iframe app signs the JSON of its query parameters: `raw_body` is that JSON, sent as
    the parameters it encodes. A body that is not exactly their compact encoding (a trailing
    newline) also sends what differs, as Help Scout would have signed something else."""
    params = json.loads(raw_body)
    if json.dumps(params, separators=(",", ":")).encode() != raw_body:
        params["extra"] = raw_body.decode()
    if signature is not None:
        params["X-HelpScout-Signature"] = signature
    return client.get("/sidebar/app?" + urlencode(params))


def _sidebar_secret(settings: Settings) -> str:
    assert settings.helpscout_sidebar_secret is not None
    return settings.helpscout_sidebar_secret.get_secret_value()


SIGNED_ROUTES = [
    SignedRoute(
        name="POST /webhooks/helpscout",
        raw_body=(
            b'{"id":3120419377,"number":4187,"mailboxId":101,"_embedded":{"threads":[{"id":'
            b'8812004511,"type":"message","state":"published","body":"Call (555) 201-4477"}]}}'
        ),
        call=_post_webhook,
        secret=_webhook_secret,
    ),
    SignedRoute(
        name="POST /sidebar/dynamic",
        raw_body=(
            b'{"ticket":{"id":3120419377,"number":4187,"subject":"Call (555) 201-4477"},'
            b'"customer":{"email":"k7m2q9x4b1c8d3f@marketplace.amazon.com"},'
            b'"user":{"id":531200},"mailbox":{"id":101}}'
        ),
        call=_post_sidebar,
        secret=_sidebar_secret,
    ),
    SignedRoute(
        name="GET /sidebar/app",
        raw_body=b'{"conversation-id":"3120419377","mailbox-id":"101","user-id":"4477"}',
        call=_get_sidebar_app,
        secret=_sidebar_secret,
    ),
]


@pytest.fixture(params=SIGNED_ROUTES, ids=lambda route: route.name)
def route(request: pytest.FixtureRequest) -> SignedRoute:
    return request.param


@pytest.fixture
def nothing_stored(store_session: Session, redis_conn: Redis) -> Callable[[], bool]:
    """True when no delivery was recorded and no job queued."""

    def check() -> bool:
        rows = store_session.scalars(select(WebhookDelivery)).all()
        jobs = [job for name in QUEUE_NAMES for job in queue_for(redis_conn, name).job_ids]
        return rows == [] and jobs == []

    return check


def test_a_correct_signature_is_accepted(
    client: FlaskClient, settings: Settings, route: SignedRoute, store_session: Session
) -> None:
    signature = header_signature(route.secret(settings), route.raw_body)

    assert route.call(client, route.raw_body, signature).status_code < 300


def refusal_cases(secret: str, raw_body: bytes) -> dict[str, tuple[bytes, str | None]]:
    """Ways to get it wrong: (body sent, signature sent) by name."""
    correct = header_signature(secret, raw_body)
    return {
        "missing": (raw_body, None),
        "empty": (raw_body, ""),
        "blank": (raw_body, "   "),
        "wrong secret": (raw_body, header_signature(secret + "x", raw_body)),
        "tampered body": (raw_body.replace(b"4477", b"4478"), correct),
        "body with a trailing newline": (raw_body + b"\n", correct),
        "hex instead of base64": (
            raw_body,
            hmac.new(secret.encode(), raw_body, hashlib.sha1).hexdigest(),
        ),
        "sha256 instead of sha1": (
            raw_body,
            base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()).decode(),
        ),
        "truncated": (raw_body, correct[:-2]),
    }


@pytest.mark.parametrize(
    "case",
    list(refusal_cases("s", b"{}")),
)
def test_a_bad_signature_is_refused_and_nothing_is_kept(
    client: FlaskClient,
    settings: Settings,
    route: SignedRoute,
    nothing_stored: Callable[[], bool],
    case: str,
) -> None:
    raw_body, signature = refusal_cases(route.secret(settings), route.raw_body)[case]

    response = route.call(client, raw_body, signature)

    assert response.status_code == 401
    assert "request refused" in response.get_json()["error"]
    assert nothing_stored()
