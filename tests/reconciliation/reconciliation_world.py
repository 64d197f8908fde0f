"""The outside world of a reconciliation scenario: Amazon's notification emails in a real
Maildir, Help Scout's Mailbox API behind `responses` (the fixtures in conftest.py use them)."""

from __future__ import annotations

import copy
import json
import mailbox
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

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
        unique, raw = self.notification(alias=alias, order=order, at=at, case=case)
        self.maildir.add(raw)
        return unique

    @staticmethod
    def notification(
        *, alias: str, order: str, at: datetime, case: str | None = None
    ) -> tuple[str, bytes]:
        """The fixture email rewritten for this buyer, order, case and time: (id, bytes)."""
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
        return unique, raw.encode("utf-8")

    @staticmethod
    def undated(raw: bytes) -> bytes:
        """A notification's bytes without its Date and Received headers: no time of its own."""
        raw = re.sub(rb"^Received:.*\n(?:[ \t].*\n)*", b"", raw, flags=re.MULTILINE)
        return re.sub(rb"^Date:.*\n", b"", raw, flags=re.MULTILINE)


class FakeHelpScout:
    """Help Scout's token and List Conversations endpoints, answered from the conversations a
    scenario sets up, as the Mailbox API does: `modifiedSince`, `sortField=modifiedAt`, pages
    of 25 in HAL form, threads embedded. Every request is counted."""

    PAGE_SIZE = 25

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.conversations: dict[int, dict[str, Any]] = {}
        self.list_requests = 0
        # Called with the number of each list request before it is answered: a scenario
        # changes Help Scout while a pass pages through it.
        self.before_list: Callable[[int], None] | None = None
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
        """Add a thread, newest first; a thread changes its conversation, as in Help Scout."""
        conversation = self.conversations[conversation_id]
        conversation["_embedded"]["threads"].insert(0, thread)
        conversation["userUpdatedAt"] = max(conversation["userUpdatedAt"], thread["createdAt"])

    def _list(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.list_requests += 1
        if self.before_list is not None:
            self.before_list(self.list_requests)
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


def slack_texts(fake_slack: Any) -> list[str]:
    """What went to Slack, but the daily digest (its own test says what it holds)."""
    return [p["text"] for p in fake_slack.posted() if not p["text"].startswith("[digest]")]
