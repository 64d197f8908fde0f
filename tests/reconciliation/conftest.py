"""Scenario fixtures: conversations and threads stored as webhooks and syncs store them, and the
outside world of a reconciliation pass: Amazon's notification emails in a real Maildir, Help
Scout's Mailbox API behind `responses`, Slack on the local `fake_slack` server."""

from __future__ import annotations

import copy
import json
import mailbox
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from pydantic import SecretStr
from sqlalchemy.orm import Session

from helpscout_app.settings import Settings
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import Conversation

StoreThread = Callable[..., None]


@pytest.fixture
def add_conversation(store_session: Session) -> Callable[..., Conversation]:
    """Store an Amazon conversation: `add_conversation(1, status="active", ...)`."""

    def add(conversation_id: int, **columns: Any) -> Conversation:
        values: dict[str, Any] = {
            "is_amazon": True,
            "status": "active",
            "number": 1000 + conversation_id,
            "mailbox_id": 101,
            "relay_base_address": f"buyer{conversation_id}@marketplace.amazon.com",
            **columns,
        }
        row = upsert_conversation(store_session, conversation_id, **values)
        store_session.commit()
        return row

    return add


@pytest.fixture
def add_thread(store_session: Session) -> StoreThread:
    """Store a thread: `add_thread(conversation_id, thread_id, "customer", at(1))`; agent
    replies are `"message"` threads by a user, published unless `state` says otherwise."""

    def add(
        conversation_id: int, thread_id: int, thread_type: str, created_at: datetime, **values: Any
    ) -> None:
        defaults: dict[str, Any] = {
            "state": "published",
            "created_by_kind": "customer" if thread_type == "customer" else "user",
            "created_at": created_at,
        }
        upsert_thread(
            store_session,
            thread_id,
            conversation_id,
            thread_type=thread_type,
            **{**defaults, **values},
        )
        store_session.commit()

    return add


# --- the scenarios' outside world: Amazon's emails in a Maildir, Help Scout behind `responses` --

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOTIFICATION_TEMPLATE = FIXTURES / "amazon" / "notifications" / "buyer-message.en-us.eml"
CONVERSATION_TEMPLATE = FIXTURES / "helpscout" / "api" / "get_conversation.json"
TOKEN_FIXTURE = FIXTURES / "helpscout" / "api" / "oauth_token.json"
API_URL = "http://helpscout.test/v2"

# What the templates say, replaced per scenario.
_TEMPLATE_ALIAS = "k7m2q9x4b1c8d3f"
_TEMPLATE_ORDER = "113-4829174-5521938"
_TEMPLATE_CASE = "8f14e45f-ceea-4e7a-9b1c-2d3e4f5a6b7c"
_TEMPLATE_MESSAGE_ID = "0100018d9c2e41aa-5f2c7e1b-2d3a-4b8c-9e1f-0a2b3c4d5e6f-000000"


class AmazonMailbox:
    """The independent copy: a real Maildir that Amazon's notification emails are delivered to,
    written from the fixture email with this scenario's buyer, order, case and time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.maildir = mailbox.Maildir(path, create=True)

    def deliver(self, *, alias: str, order: str, at: datetime, case: str | None = None) -> str:
        """Deliver one buyer-message notification; returns its Message-ID's unique part."""
        raw = NOTIFICATION_TEMPLATE.read_text(encoding="utf-8")
        stamp = format_datetime(at.astimezone(UTC), usegmt=False).replace("-0000", "+0000")
        unique = f"{alias}-{order}-{int(at.timestamp())}"
        raw = (
            raw.replace(_TEMPLATE_ALIAS, alias)
            .replace(_TEMPLATE_ORDER, order)
            .replace(_TEMPLATE_CASE, case or f"case-{unique}")
            .replace(_TEMPLATE_MESSAGE_ID, unique)
        )
        raw = re.sub(r"^Date: .*$", f"Date: {stamp}", raw, count=1, flags=re.MULTILINE)
        raw = re.sub(
            r"; [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]+ \+0000 \(UTC\)", f"; {stamp}", raw
        )
        self.maildir.add(raw.encode("utf-8"))
        return unique


class FakeHelpScout:
    """Help Scout's token and List Conversations endpoints, answered from the conversations a
    scenario sets up, as the Mailbox API does: `modifiedSince`, `sortField=modifiedAt`, pages
    of 25 in HAL form, threads embedded. Every request is counted."""

    PAGE_SIZE = 25

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.conversations: dict[int, dict[str, Any]] = {}
        self.list_requests = 0
        template = json.loads(CONVERSATION_TEMPLATE.read_text(encoding="utf-8"))
        threads = template["_embedded"]["threads"]
        self._conversation_template = {k: v for k, v in template.items() if k != "_embedded"}
        self._reply_template = next(t for t in threads if t["type"] == "message")
        self._customer_template = next(t for t in threads if t["type"] == "customer")
        mock.add(
            responses.POST,
            f"{API_URL}/oauth2/token",
            body=TOKEN_FIXTURE.read_text(encoding="utf-8"),
            content_type="application/json",
        )
        mock.add_callback(responses.GET, f"{API_URL}/conversations", callback=self._list)

    def conversation(
        self,
        conversation_id: int,
        *,
        alias: str,
        order: str,
        modified_at: datetime,
        status: str = "active",
        tags: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Put a conversation in Help Scout (or replace it); add threads with `customer_message`
        and `reply`."""
        email = f"{alias}@marketplace.amazon.com"
        conversation = copy.deepcopy(self._conversation_template)
        conversation.update(
            id=conversation_id,
            number=4000 + conversation_id,
            status=status,
            subject=f"Inquiry from Amazon customer Jordan (Order: {order})",
            userUpdatedAt=_iso(modified_at),
            tags=[{"id": i + 1, "color": "#929499", "tag": tag} for i, tag in enumerate(tags)],
        )
        conversation["primaryCustomer"] = {**conversation["primaryCustomer"], "email": email}
        conversation["createdBy"] = {**conversation["createdBy"], "email": email}
        conversation["_embedded"] = {"threads": []}
        self.conversations[conversation_id] = conversation
        return conversation

    def customer_message(self, conversation_id: int, thread_id: int, at: datetime) -> None:
        thread = copy.deepcopy(self._customer_template)
        thread.update(id=thread_id, createdAt=_iso(at))
        self._add_thread(conversation_id, thread)

    def reply(
        self,
        conversation_id: int,
        thread_id: int,
        at: datetime,
        *,
        body: str | None = None,
        state: str = "published",
    ) -> None:
        thread = copy.deepcopy(self._reply_template)
        thread.update(id=thread_id, createdAt=_iso(at), state=state)
        if body is not None:
            thread["body"] = body
        self._add_thread(conversation_id, thread)

    def touch(self, conversation_id: int, modified_at: datetime, **fields: Any) -> None:
        """Change a conversation (status, tags, …) as Help Scout would, moving its modifiedAt."""
        conversation = self.conversations[conversation_id]
        if "tags" in fields:
            fields["tags"] = [{"id": i + 1, "tag": tag} for i, tag in enumerate(fields["tags"])]
        conversation.update(fields, userUpdatedAt=_iso(modified_at))

    def merge(self, source_id: int, into_id: int, modified_at: datetime) -> None:
        """Help Scout's merge: the source's threads move into the target; the source is gone."""
        moved = self.conversations.pop(source_id)["_embedded"]["threads"]
        target = self.conversations[into_id]
        target["_embedded"]["threads"] = moved + target["_embedded"]["threads"]
        target["userUpdatedAt"] = _iso(modified_at)

    def _add_thread(self, conversation_id: int, thread: dict[str, Any]) -> None:
        self.conversations[conversation_id]["_embedded"]["threads"].insert(
            0, thread
        )  # newest first

    def _list(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.list_requests += 1
        query = parse_qs(urlsplit(request.url).query)
        since = query.get("modifiedSince", [None])[0]
        page = int(query.get("page", ["1"])[0])
        listed = sorted(
            (
                c
                for c in self.conversations.values()
                if since is None or c["userUpdatedAt"] >= since
            ),
            key=lambda c: (c["userUpdatedAt"], c["id"]),
        )
        pages = max(1, -(-len(listed) // self.PAGE_SIZE))
        items = listed[(page - 1) * self.PAGE_SIZE : page * self.PAGE_SIZE]
        body = {
            "_embedded": {"conversations": items},
            "page": {
                "size": self.PAGE_SIZE,
                "totalElements": len(listed),
                "totalPages": pages,
                "number": page,
            },
            "_links": {},
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def amazon_mailbox(settings: Settings) -> AmazonMailbox:
    assert settings.amazon_notifications_url is not None
    return AmazonMailbox(
        Path(settings.amazon_notifications_url.get_secret_value().removeprefix("maildir:"))
    )


@pytest.fixture
def helpscout() -> Iterator[FakeHelpScout]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeHelpScout(mock)


@pytest.fixture
def reconcile_settings(settings: Settings, fake_slack: Any) -> Settings:
    """The test settings pointed at the fake Help Scout and the local Slack."""
    return settings.model_copy(
        update={
            "helpscout_api_url": API_URL,
            "slack_webhook_url": SecretStr(fake_slack.webhook_url),
            "amazon_mailbox_ids": (101,),
            "auto_reply_markers": ("This is an automatic reply",),
        }
    )
