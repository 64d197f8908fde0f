"""One reconciliation pass at scale: 10,000 notification emails against 10,000 Help Scout
conversations, served by a local Help Scout (issue 4, "Benchmark").

What runs is the production code, unchanged: `reconcile_pass.reconcile` with a real
`HelpScoutClient` speaking HTTP to a local server, a real Maildir read through `open_source`, and
the store on SQLite (or PostgreSQL with `postgres_url`), migrated as `amz-guard db upgrade` does.
No Slack: alerts are recorded in the store only (`notifier=None`).

The data, built from a seed so every run sees the same:

- conversations in mailbox 101 shaped like Help Scout's v2 Conversation (`primaryCustomer.email`
  the buyer's relay address `<alias>+<case>@marketplace.amazon.<tld>`, `number`, `subject` naming
  the order, `status`, `createdAt`, `closedAt`, `userUpdatedAt`, `modifiedAt`, `tags`), with
  threads embedded newest first: the buyer's messages, agent replies (`message`, published, by a
  user), and notes, line items, drafts and auto-replies around them. Most are answered, some are
  still waiting (a few inside the warning levels, a few past the deadline), some were closed
  without a reply, and a few buyers write again after the answer;
- notification emails made from the fixture templates (tests/fixtures/amazon/notifications/):
  a fresh Message-ID, relay address, buyer name, order ID and Date (Received hops the same)
  each. About 98% are the copy of a customer thread (same relay address, Date within minutes of
  the thread's `createdAt`); about 2% never reached Help Scout.

Two passes, each in a process of its own forked for it, as RQ runs each job in a fresh work
horse: the first (cold) pass finds everything new; then ~2% of the conversations change (a reply,
a buyer's follow-up, a note or a status change) and ~100 notifications arrive, and the
incremental pass runs five minutes later. Per pass: wall time; time spent in HTTP requests to the
local Help Scout (client side, and the server's own handling time); processing = wall time minus
those waits; CPU time; the growth of the process's peak RSS (and the tracemalloc peak on
request); Help Scout requests counted by the server; SQL statements; the pass's counts; and
whether each notification was matched to the thread it is the copy of.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import mailbox
import math
import multiprocessing
import os
import random
import re
import resource
import secrets
import shutil
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bench.inputs import REPO_ROOT
from bench.speed import every_cpu
from bench.tables import render_table

TEMPLATES_DIR = REPO_ROOT / "tests" / "fixtures" / "amazon" / "notifications"
TEMPLATES: tuple[tuple[str, float], ...] = (
    ("buyer-message.en-us.eml", 0.45),  # multipart, "Resolve case" link
    ("buyer-message.en-us.relay-case-suffix.eml", 0.25),
    ("buyer-message.en-gb.enquiry.eml", 0.10),
    ("buyer-message.de-de.eml", 0.10),
    ("buyer-message.fr-fr.eml", 0.05),
    ("buyer-message.it-it.eml", 0.05),  # ISO-8859-1
)
"""Templates and their share of the notifications; their subjects are plain ASCII, so the order
ID and the name can be put in them as text."""

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
"""The first pass's clock; the incremental pass runs `INTERVAL` later."""
INTERVAL = timedelta(minutes=5)
"""RECONCILE_INTERVAL_S' default: the time between two periodic passes."""
SPAN = timedelta(days=6, hours=12)
"""How far back the conversations go (inside the 7-day lookback)."""

MAILBOX_ID = 101
PAGE_SIZE = 25
"""Help Scout's page size for List Conversations (reference/helpscout.md §2.3)."""
APP_ID, APP_SECRET = "bench-app-id", "bench-app-secret"
AUTO_REPLY_MARKER = "This is an automatic reply"

PROCESSING_MAX_S = 10.0
"""Issue 4: under 10 s of processing for the 10k pass, excluding network waits."""
CONVERSATIONS_PER_REQUEST_MIN = 25
"""Issue 4: no more than one request per 25 conversations on an incremental pass."""

PHASES = (
    "ingest_notifications",
    "sync_conversations",
    "match_notifications",
    "announce_found",
    "alert_missing",
    "alert_deadlines",
    "send_digest",
)
"""The parts of `reconcile` timed separately (names in `reconcile_pass`)."""

_PASS_TIMEOUT_S = 1800.0

BUYER_NAMES = (
    "Alex", "Avery", "Blake", "Casey", "Charlie", "Dana", "Drew", "Eden", "Emery", "Finley",
    "Harper", "Hayden", "Jamie", "Jesse", "Jordan", "Kai", "Kendall", "Lee", "Logan", "Morgan",
    "Parker", "Quinn", "Reese", "Riley", "Rowan", "Sage", "Sam", "Skyler", "Taylor", "Toni",
)  # fmt: skip
AGENTS = ((531200, "Sam", "Agent"), (531207, "Lee", "Agent"), (531213, "Kim", "Support"))
BUYER_TEXTS = (
    "Hello, the item arrived damaged. Can you send a replacement?",
    "Hi, when will my order ship? I need it before the weekend.",
    "Does this come with the rain fly, or is it sold separately?",
    "I would like to return this, it is the wrong size.",
    "The tracking has not moved for four days. Is the parcel lost?",
    "Can you confirm the dimensions of the packed item?",
)
AGENT_TEXTS = (
    "Hi {name},<br><br>I am sorry about that. A replacement ships today; there is nothing to "
    "send back.<br><br>{agent}",
    "Hi {name},<br><br>Your order left our warehouse this morning and should arrive on "
    "Thursday.<br><br>{agent}",
    "Hi {name},<br><br>Yes, it is included in the box.<br><br>{agent}",
    "Hi {name},<br><br>You can start the return from Your Orders; the label is free.<br><br>"
    "{agent}",
)
AUTO_REPLY_TEXT = (
    f"<div>Thank you for your message. {AUTO_REPLY_MARKER}: our team answers every message "
    "within 24 hours.</div>"
)


class BenchSetupError(RuntimeError):
    """The benchmark cannot run here (a template missing, PostgreSQL unreachable, a pass died)."""


# --- the data ---------------------------------------------------------------------------------


@dataclass
class Buyer:
    alias: str
    case: str
    name: str
    tld: str
    customer_id: int

    @property
    def relay(self) -> str:
        return f"{self.alias}+{self.case}@marketplace.amazon.{self.tld}"


@dataclass
class ThreadSpec:
    """One thread: `kind` is customer, reply, auto-reply, note, draft or lineitem."""

    id: int
    kind: str
    at: datetime
    agent: int = 0  # index into AGENTS
    text: str = ""


@dataclass
class ConversationSpec:
    id: int
    number: int
    buyer: Buyer
    template: str
    order_id: str
    subject: str
    status: str
    tags: list[str]
    threads: list[ThreadSpec]
    closed_at: datetime | None = None

    @property
    def created_at(self) -> datetime:
        return min(t.at for t in self.threads)

    @property
    def modified_at(self) -> datetime:
        return max([t.at for t in self.threads] + ([self.closed_at] if self.closed_at else []))

    @property
    def user_updated_at(self) -> datetime:
        """The last change an agent made (a thread, a status), else the creation time."""
        by_users = [t.at for t in self.threads if t.kind != "customer"]
        if self.closed_at is not None:
            by_users.append(self.closed_at)
        return max(by_users, default=self.created_at)


@dataclass
class NotificationSpec:
    message_id: str
    at: datetime
    buyer: Buyer
    template: str
    order_id: str
    thread_id: int | None  # the customer thread it is the copy of; None: never reached Help Scout


@dataclass
class Dataset:
    conversations: list[ConversationSpec]
    notifications: list[NotificationSpec]
    rng: random.Random
    next_thread_id: int
    next_conversation: int

    def thread_id(self) -> int:
        self.next_thread_id += 1
        return self.next_thread_id


@dataclass(frozen=True)
class Template:
    name: str
    text: str  # the file as latin-1, so any byte survives the round trip
    alias: str
    tld: str
    buyer_name: str
    order_ids: tuple[str, ...]
    uuids: tuple[str, ...]
    subject: str


_FROM = re.compile(
    r'^From: "(?P<name>[^"]+) - Amazon Marketplace" <(?P<alias>[a-z0-9]+)'
    r"@marketplace\.amazon\.(?P<tld>[a-z.]+)>",
    re.M,
)
_ORDER = re.compile(r"\b[0-9]{3}-[0-9]{7}-[0-9]{7}\b")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SUBJECT = re.compile(r"^Subject: (.*)$", re.M)
# A Received hop's date-time, after its last ";" (the fixtures write "+0000 (UTC)").
_RECEIVED_STAMP = re.compile(
    r"; [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]+ [+-]\d{4}(?: \(\w+\))?$", re.M
)


def load_templates() -> dict[str, Template]:
    """The notification templates, with the facts each one's copies replace."""
    templates = {}
    for name, _ in TEMPLATES:
        path = TEMPLATES_DIR / name
        if not path.is_file():
            raise BenchSetupError(f"notification template {path} not found")
        text = path.read_bytes().decode("latin-1")
        sender = _FROM.search(text)
        subject = _SUBJECT.search(text)
        if sender is None or subject is None:
            raise BenchSetupError(f"{name}: no buyer From header or no Subject to vary")
        message_id_line = re.search(r"^Message-ID: .*$", text, re.M)
        message_id = message_id_line.group(0) if message_id_line else ""
        templates[name] = Template(
            name=name,
            text=text,
            alias=sender["alias"],
            tld=sender["tld"],
            buyer_name=sender["name"],
            order_ids=tuple(dict.fromkeys(_ORDER.findall(text))),
            uuids=tuple(u for u in dict.fromkeys(_UUID.findall(text)) if u not in message_id),
            subject=subject.group(1).strip(),
        )
    return templates


def render_notification(template: Template, spec: NotificationSpec) -> bytes:
    """A copy of `template` from another buyer, about another order, sent at `spec.at`."""
    buyer = spec.buyer
    text = re.sub(
        r"^Message-ID: .*$", f"Message-ID: {spec.message_id}", template.text, count=1, flags=re.M
    )
    stamp = format_datetime(spec.at)
    text = re.sub(r"^Date: .*$", f"Date: {stamp}", text, count=1, flags=re.M)
    # Received at the same time: the parser takes a Date hours from the newest Received hop as
    # a wrong clock, and the templates' hops are dated November 2026.
    text = _RECEIVED_STAMP.sub(f"; {stamp}", text)
    text = re.sub(r"^Reply-To: .*\n", "", text, flags=re.M)
    text = text.replace(template.alias, buyer.alias)
    reply_to = f'Reply-To: "{buyer.name} - Amazon Marketplace" <{buyer.relay}>\n'
    text = re.sub(r"^(From: .*\n)", lambda m: m.group(1) + reply_to, text, count=1, flags=re.M)
    for order_id in template.order_ids:
        text = text.replace(order_id, spec.order_id)
    for old in template.uuids:
        text = text.replace(old, buyer.case)
    text = re.sub(rf"\b{re.escape(template.buyer_name)}\b", buyer.name, text)
    return text.encode("latin-1")


def subject_for(template: Template, buyer: Buyer, order_id: str) -> str:
    subject = template.subject
    for old in template.order_ids:
        subject = subject.replace(old, order_id)
    return re.sub(rf"\b{re.escape(template.buyer_name)}\b", buyer.name, subject)


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _alias(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(15))


def _order_id(rng: random.Random, template: Template) -> str:
    prefix = template.order_ids[0][:3] if template.order_ids else "113"
    return f"{prefix}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"


def _message_id(rng: random.Random) -> str:
    middle = uuid.UUID(int=rng.getrandbits(128))
    return f"<0100018d{rng.getrandbits(32):08x}-{middle}-000000@amazon.com>"


def _new_buyer(rng: random.Random, templates: dict[str, Template], index: int) -> tuple[Buyer, str]:
    template = rng.choices([n for n, _ in TEMPLATES], weights=[w for _, w in TEMPLATES])[0]
    buyer = Buyer(
        alias=_alias(rng),
        case=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        name=rng.choice(BUYER_NAMES),
        tld=templates[template].tld,
        customer_id=880_000_000 + index,
    )
    return buyer, template


def _customer_thread(dataset: Dataset, at: datetime, order_id: str) -> ThreadSpec:
    text = dataset.rng.choice(BUYER_TEXTS)
    return ThreadSpec(dataset.thread_id(), "customer", _seconds(at), text=f"{text}|{order_id}")


def _new_conversation(
    dataset: Dataset, templates: dict[str, Template], created: datetime
) -> ConversationSpec:
    """A new conversation: the buyer's first message, at `created`."""
    rng = dataset.rng
    index = dataset.next_conversation
    dataset.next_conversation += 1
    if dataset.conversations and rng.random() < 0.05:  # a buyer writing about another order
        other = rng.choice(dataset.conversations).buyer
        buyer = Buyer(
            other.alias,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            other.name,
            other.tld,
            other.customer_id,
        )
        template = next(n for n, _ in TEMPLATES if templates[n].tld == buyer.tld)
    else:
        buyer, template = _new_buyer(rng, templates, index)
    order_id = _order_id(rng, templates[template])
    first = _customer_thread(dataset, created, order_id)
    return ConversationSpec(
        id=3_300_000_000 + index,
        number=50_000 + index,
        buyer=buyer,
        template=template,
        order_id=order_id,
        subject=subject_for(templates[template], buyer, order_id),
        status="active",
        tags=["amazon"],
        threads=[first],
    )


def _outcome(rng: random.Random) -> str:
    """How a conversation goes: answered (90%), not answered yet (7%), closed without a reply."""
    roll = rng.random()
    return "closed-unanswered" if roll < 0.03 else "unanswered" if roll < 0.10 else "answered"


def _live(dataset: Dataset, conversation: ConversationSpec, now: datetime, outcome: str) -> None:
    """What agents and the buyer did with a new conversation up to `now`."""
    rng = dataset.rng
    created = conversation.created_at
    age = now - created
    agent = rng.randrange(len(AGENTS))

    def add(kind: str, at: datetime, text: str = "") -> bool:
        if at >= now - timedelta(seconds=30):
            return False
        conversation.threads.append(
            ThreadSpec(dataset.thread_id(), kind, _seconds(at), agent, text)
        )
        return True

    def close(at: datetime) -> None:
        if at < now - timedelta(seconds=30):
            conversation.status, conversation.closed_at = "closed", _seconds(at)
            add("lineitem", at, "closed")

    if rng.random() < 0.05:
        add("auto-reply", created + timedelta(seconds=rng.uniform(5, 60)))
    if rng.random() < 0.15:
        add("note", created + timedelta(minutes=rng.uniform(5, 180)), "Checked the order.")
    if outcome == "closed-unanswered":  # "No response needed" to mark in Seller Central
        close(created + timedelta(hours=rng.uniform(0.2, 8)))
        if rng.random() < 0.3:
            conversation.tags.append("nrn-done")
        return
    if outcome == "unanswered":
        if rng.random() < 0.2:
            add("draft", created + timedelta(minutes=rng.uniform(1, 30)))
        conversation.status = rng.choice(("active", "active", "active", "pending"))
        return
    late = rng.random() < 0.05
    delay = timedelta(hours=rng.uniform(24.5, 40) if late else rng.uniform(0.1, 22))
    if delay >= age:
        delay = age * rng.uniform(0.2, 0.9)
    if not add("reply", created + delay):
        return
    replied = created + delay
    if rng.random() < 0.10:  # the buyer writes again
        again = replied + timedelta(hours=rng.uniform(0.5, 30))
        if again < now - timedelta(minutes=2):
            conversation.threads.append(_customer_thread(dataset, again, conversation.order_id))
            if rng.random() < 0.85:
                add("reply", again + timedelta(hours=rng.uniform(0.2, 10)))
            return
    roll = rng.random()
    if roll < 0.65:
        close(replied + timedelta(minutes=rng.uniform(1, 120)))
    elif roll < 0.75:
        conversation.status = "pending"


def _waiting_created_at(rng: random.Random, now: datetime) -> datetime:
    """When an unanswered conversation came in: mostly fresh, some near or past the deadline."""
    roll = rng.random()
    hours = (
        rng.uniform(0.05, 16)
        if roll < 0.6
        else rng.uniform(16, 23.9)
        if roll < 0.85
        else rng.uniform(24.5, 72)
    )
    return now - timedelta(hours=hours)


def build_dataset(
    conversations: int, notifications: int, missing_share: float, seed: int
) -> Dataset:
    """`conversations` conversations up to `NOW`; `notifications` emails, `missing_share` of them
    never in Help Scout, the rest copies of customer threads."""
    templates = load_templates()
    rng = random.Random(seed)
    dataset = Dataset([], [], rng, next_thread_id=9_100_000_000, next_conversation=0)
    for _ in range(conversations):
        outcome = _outcome(rng)
        created = NOW - timedelta(seconds=rng.uniform(120, SPAN.total_seconds()))
        if outcome == "unanswered":  # most are fresh: a team answers within a day, mostly
            created = _waiting_created_at(rng, NOW)
        conversation = _new_conversation(dataset, templates, created)
        _live(dataset, conversation, NOW, outcome)
        dataset.conversations.append(conversation)

    missing = round(notifications * missing_share)
    customer_threads = [
        (c, t) for c in dataset.conversations for t in c.threads if t.kind == "customer"
    ]
    for conversation, thread in rng.sample(
        customer_threads, min(notifications - missing, len(customer_threads))
    ):
        dataset.notifications.append(_copy_of(dataset, conversation, thread))
    for _ in range(missing):
        dataset.notifications.append(
            _missing_notification(
                dataset, templates, NOW - timedelta(seconds=rng.uniform(3600, SPAN.total_seconds()))
            )
        )
    return dataset


def _copy_of(
    dataset: Dataset, conversation: ConversationSpec, thread: ThreadSpec
) -> NotificationSpec:
    """The notification email of a customer thread: sent within minutes of its arrival."""
    rng = dataset.rng
    return NotificationSpec(
        message_id=_message_id(rng),
        at=_seconds(thread.at - timedelta(seconds=rng.uniform(-60, 240))),
        buyer=conversation.buyer,
        template=conversation.template,
        order_id=conversation.order_id,
        thread_id=thread.id,
    )


def _missing_notification(
    dataset: Dataset, templates: dict[str, Template], at: datetime
) -> NotificationSpec:
    """A buyer message that never reached Help Scout (a buyer Help Scout never heard of)."""
    rng = dataset.rng
    buyer, template = _new_buyer(rng, templates, 500_000 + dataset.next_conversation)
    dataset.next_conversation += 1
    return NotificationSpec(
        message_id=_message_id(rng),
        at=_seconds(at),
        buyer=buyer,
        template=template,
        order_id=_order_id(rng, templates[template]),
        thread_id=None,
    )


@dataclass
class Changes:
    """What happened between the passes."""

    conversations: list[ConversationSpec]  # changed or new: what Help Scout lists again
    notifications: list[NotificationSpec]  # arrived in the Maildir
    replies: int = 0
    follow_ups: int = 0
    other_changes: int = 0
    new_conversations: int = 0
    late_missing: int = 0


def change(dataset: Dataset, changed_share: float, new_notifications: int) -> Changes:
    """Between `NOW` and `NOW + INTERVAL`: ~`changed_share` of the conversations change (agents
    answer waiting buyers, buyers write again, notes and status changes) and
    `new_notifications` emails arrive (follow-ups, new conversations, a few missing)."""
    rng = dataset.rng
    templates = load_templates()
    changed_count = max(1, round(len(dataset.conversations) * changed_share))
    follow_ups = min(new_notifications // 2, changed_count)
    late_missing = new_notifications // 20
    fresh = new_notifications - follow_ups - late_missing
    changes = Changes(
        [], [], follow_ups=follow_ups, new_conversations=fresh, late_missing=late_missing
    )

    def moment() -> datetime:
        return _seconds(NOW + timedelta(seconds=rng.uniform(10, INTERVAL.total_seconds() - 30)))

    chosen = rng.sample(dataset.conversations, changed_count)
    follow_up_ids = {c.id for c in chosen if not _waiting(c)}
    follow_up_ids = set(sorted(follow_up_ids)[:follow_ups])
    changes.follow_ups = len(follow_up_ids)
    for conversation in chosen:
        at = moment()
        roll = rng.random()
        if conversation.id in follow_up_ids:  # the buyer writes again: a new notification
            thread = _customer_thread(dataset, at, conversation.order_id)
            conversation.threads.append(thread)
            conversation.status, conversation.closed_at = "active", None
            changes.notifications.append(_copy_of(dataset, conversation, thread))
        elif _waiting(conversation) or roll < 0.5:  # an agent answers
            agent = rng.randrange(len(AGENTS))
            conversation.threads.append(ThreadSpec(dataset.thread_id(), "reply", at, agent))
            if conversation.status == "closed":
                conversation.status, conversation.closed_at = "active", None
            changes.replies += 1
        elif conversation.status != "closed" and roll < 0.75:
            conversation.status, conversation.closed_at = "closed", at
            conversation.threads.append(ThreadSpec(dataset.thread_id(), "lineitem", at))
            changes.other_changes += 1
        else:
            conversation.threads.append(ThreadSpec(dataset.thread_id(), "note", at, text="Noted."))
            changes.other_changes += 1
        changes.conversations.append(conversation)
    for _ in range(fresh):  # nobody has answered these yet
        conversation = _new_conversation(dataset, templates, moment())
        dataset.conversations.append(conversation)
        changes.conversations.append(conversation)
        changes.notifications.append(_copy_of(dataset, conversation, conversation.threads[0]))
    for _ in range(late_missing):  # still inside the grace period at the next pass
        changes.notifications.append(_missing_notification(dataset, templates, moment()))
    dataset.notifications += changes.notifications
    return changes


def _waiting(conversation: ConversationSpec) -> bool:
    last_customer = max(t.at for t in conversation.threads if t.kind == "customer")
    return conversation.status != "closed" and not any(
        t.kind == "reply" and t.at > last_customer for t in conversation.threads
    )


# --- Help Scout's v2 payloads -------------------------------------------------------------------


def _agent(index: int) -> dict[str, Any]:
    agent_id, first, last = AGENTS[index]
    return {
        "id": agent_id,
        "type": "user",
        "first": first,
        "last": last,
        "email": f"{first.lower()}.{last.lower()}@seller.example",
    }


def _link(path: str) -> dict[str, str]:
    return {"href": f"https://api.helpscout.net/v2/{path}"}


def thread_payload(conversation: ConversationSpec, thread: ThreadSpec) -> dict[str, Any]:
    """A thread as List Threads (and `embed=threads`) shows it (reference/helpscout.md §2.6)."""
    buyer = conversation.buyer
    customer = {
        "id": buyer.customer_id,
        "first": buyer.name,
        "last": "",
        "photoUrl": "",
        "email": buyer.relay,
    }
    agent = _agent(thread.agent)
    payload: dict[str, Any] = {
        "id": thread.id,
        "type": "message",
        "status": "active",
        "state": "published",
        "source": {"type": "email", "via": "user"},
        "customer": customer,
        "createdBy": agent,
        "assignedTo": _agent(0),
        "savedReplyId": 0,
        "to": [buyer.relay],
        "cc": [],
        "bcc": [],
        "createdAt": _ts(thread.at),
        "_embedded": {"attachments": []},
        "_links": {
            "createdByUser": _link(f"users/{agent['id']}"),
            "customer": _link(f"customers/{buyer.customer_id}"),
            "assignedTo": _link(f"users/{AGENTS[0][0]}"),
        },
    }
    if thread.kind == "customer":
        text, _, order_id = thread.text.partition("|")
        payload.update(
            type="customer",
            body=(
                f"<div>------------- Message: -------------<br><br>{text}<br><br>{buyer.name}"
                "<br><br>------------- End message -------------<br><br>"
                f"Order ID {order_id}</div>"
            ),
            source={"type": "email", "via": "customer"},
            createdBy={**customer, "type": "customer"},
            to=[f"amazon-{buyer.tld.replace('.', '-')}@seller.example"],
        )
        payload["_links"] = {
            "createdByCustomer": _link(f"customers/{buyer.customer_id}"),
            "customer": _link(f"customers/{buyer.customer_id}"),
        }
        payload.pop("savedReplyId")
    elif thread.kind == "reply":
        text = AGENT_TEXTS[thread.id % len(AGENT_TEXTS)]
        payload["body"] = f"<div>{text.format(name=buyer.name, agent=agent['first'])}</div>"
    elif thread.kind == "auto-reply":
        payload["body"] = AUTO_REPLY_TEXT
    elif thread.kind == "draft":
        payload.update(state="draft", body="<div>Hi, let me check with the warehouse.</div>")
    elif thread.kind == "note":
        payload.update(type="note", body=thread.text or "Note.", to=[])
        payload["source"] = {"type": "web", "via": "user"}
        del payload["customer"], payload["savedReplyId"]
    elif thread.kind == "lineitem":
        payload = {
            "id": thread.id,
            "type": "lineitem",
            "status": "closed",
            "state": "published",
            "action": {"type": "default", "text": "Marked as Closed", "associatedEntities": {}},
            "source": {"type": "web", "via": "user"},
            "createdBy": agent,
            "createdAt": _ts(thread.at),
            "_embedded": {"attachments": []},
            "_links": {"createdByUser": _link(f"users/{agent['id']}")},
        }
    return payload


def conversation_payload(
    conversation: ConversationSpec, *, modified_at: bool = True
) -> dict[str, Any]:
    """The v2 Conversation (reference/helpscout.md §1.7), threads embedded newest first.

    `modified_at` False leaves out `modifiedAt`, which Help Scout's Get Conversation example
    does not show (only `userUpdatedAt`); the sync then takes its watermark from `userUpdatedAt`.
    """
    buyer = conversation.buyer
    threads = sorted(conversation.threads, key=lambda t: (t.at, t.id), reverse=True)
    customer = {
        "id": buyer.customer_id,
        "type": "customer",
        "first": buyer.name,
        "last": "",
        "email": buyer.relay,
    }
    last_text = next((t for t in threads if t.kind in ("customer", "reply")), threads[-1])
    payload: dict[str, Any] = {
        "id": conversation.id,
        "number": conversation.number,
        "threads": len(threads),
        "type": "email",
        "folderId": 7301,
        "status": conversation.status,
        "state": "published",
        "subject": conversation.subject,
        "preview": (last_text.text.partition("|")[0] or "Hi")[:100],
        "mailboxId": MAILBOX_ID,
        "assignee": _agent(0),
        "createdBy": {"id": buyer.customer_id, "type": "customer", "email": buyer.relay},
        "createdAt": _ts(conversation.created_at),
        "userUpdatedAt": _ts(conversation.user_updated_at),
        "source": {"type": "email", "via": "customer"},
        "tags": [
            {"id": 9_150_000 + sum(map(ord, tag)), "color": "#929499", "tag": tag}
            for tag in conversation.tags
        ],
        "cc": [],
        "bcc": [],
        "primaryCustomer": customer,
        "customFields": [],
        "_embedded": {"threads": [thread_payload(conversation, t) for t in threads]},
        "_links": {
            "self": _link(f"conversations/{conversation.id}"),
            "mailbox": _link(f"mailboxes/{MAILBOX_ID}"),
            "primaryCustomer": _link(f"customers/{buyer.customer_id}"),
            "createdByCustomer": _link(f"customers/{buyer.customer_id}"),
            "assignee": _link(f"users/{AGENTS[0][0]}"),
            "threads": _link(f"conversations/{conversation.id}/threads"),
            "web": {
                "href": f"https://secure.helpscout.net/conversation/{conversation.id}/"
                f"{conversation.number}"
            },
        },
    }
    if modified_at:
        payload["modifiedAt"] = _ts(conversation.modified_at)
    if conversation.closed_at is not None:
        payload.update(
            closedBy=AGENTS[0][0], closedByUser=_agent(0), closedAt=_ts(conversation.closed_at)
        )
    if _waiting(conversation):
        since = max(t.at for t in conversation.threads if t.kind == "customer")
        payload["customerWaitingSince"] = {"time": _ts(since), "friendly": "a while ago"}
    return payload


def _server_record(conversation: ConversationSpec, *, modified_at: bool) -> dict[str, Any]:
    """The payload, and the modification time Help Scout filters and sorts on, shown or not."""
    return {
        **conversation_payload(conversation, modified_at=modified_at),
        "_bench_modifiedAt": _ts(conversation.modified_at),
    }


# --- the local Help Scout ------------------------------------------------------------------------


_STATUSES = {
    "all": None,
    "active": {"active"},
    "open": {"active", "pending"},
    "pending": {"pending"},
    "closed": {"closed"},
    "spam": {"spam"},
}
_SORT_FIELDS = {"modifiedAt": "modifiedAt", "createdAt": "createdAt", "number": "number"}


@dataclass
class _Stored:
    id: int
    mailbox_id: int
    status: str
    keys: dict[str, Any]  # modifiedAt, createdAt (datetimes), number
    with_threads: bytes
    without_threads: bytes


def _parse_ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class HelpScoutState:
    """Conversations and counters of the local Help Scout; every method is thread-safe."""

    def __init__(self, payloads: list[dict[str, Any]]) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[int, _Stored] = {}
        self._tokens: set[str] = set()
        self._cache: dict[tuple[Any, ...], list[_Stored]] = {}
        self.reset()
        self.upsert(payloads)

    def reset(self) -> None:
        with self._lock:
            self.stats: dict[str, Any] = {
                "token": 0,
                "list": 0,
                "refused": 0,
                "other": 0,
                "conversations_listed": 0,
                "bytes_sent": 0,
                "handling_s": 0.0,
            }

    def upsert(self, payloads: list[dict[str, Any]]) -> None:
        stored = []
        for payload in payloads:
            # Help Scout sorts and filters on its own modification time, shown or not.
            modified = payload.get("_bench_modifiedAt") or payload.get("modifiedAt")
            bare = {k: v for k, v in payload.items() if k not in ("_embedded", "_bench_modifiedAt")}
            full = {**bare, "_embedded": payload["_embedded"]}
            stored.append(
                _Stored(
                    id=payload["id"],
                    mailbox_id=payload["mailboxId"],
                    status=payload["status"],
                    keys={
                        "modifiedAt": _parse_ts(modified),
                        "createdAt": _parse_ts(payload["createdAt"]),
                        "number": payload["number"],
                    },
                    with_threads=json.dumps(full, separators=(",", ":")).encode(),
                    without_threads=json.dumps(bare, separators=(",", ":")).encode(),
                )
            )
        with self._lock:
            for item in stored:
                self._conversations[item.id] = item
            self._cache.clear()

    def count(self, kind: str, seconds: float, sent: int, listed: int = 0) -> None:
        with self._lock:
            self.stats[kind] += 1
            self.stats["handling_s"] += seconds
            self.stats["bytes_sent"] += sent
            self.stats["conversations_listed"] += listed

    def issue_token(self) -> str:
        token = f"bench-token-{secrets.token_hex(8)}"
        with self._lock:
            self._tokens.add(token)
        return token

    def authorized(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        with self._lock:
            return scheme == "Bearer" and token in self._tokens

    def listing(
        self,
        mailboxes: frozenset[int] | None,
        statuses: set[str] | None,
        since: datetime | None,
        sort_field: str,
        descending: bool,
    ) -> list[_Stored]:
        key = (mailboxes, frozenset(statuses) if statuses else None, since, sort_field, descending)
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                items = [
                    c
                    for c in self._conversations.values()
                    if (mailboxes is None or c.mailbox_id in mailboxes)
                    and (statuses is None or c.status in statuses)
                    and (since is None or c.keys["modifiedAt"] >= since)
                ]
                items.sort(key=lambda c: (c.keys[sort_field], c.id), reverse=descending)
                self._cache[key] = cached = items
            return cached


class _Handler(BaseHTTPRequestHandler):
    """Help Scout's token endpoint and List Conversations, plus the bench's control paths."""

    protocol_version = "HTTP/1.1"  # keep-alive, as requests' Session expects of Help Scout
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK wait
    state: HelpScoutState  # set on the subclass the server builds

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        started = time.perf_counter()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        if path == "/v2/oauth2/token":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if (
                form.get("grant_type") == "client_credentials"
                and form.get("client_id") == APP_ID
                and form.get("client_secret") == APP_SECRET
            ):
                answer = {
                    "token_type": "bearer",
                    "access_token": self.state.issue_token(),
                    "expires_in": 172800,
                }
                self._answer(200, answer, "token", started)
            else:
                error = {"error": "invalid_client", "error_description": "Bad credentials"}
                self._answer(401, error, "refused", started)
        elif path == "/_bench/conversations":
            self.state.upsert(json.loads(body))
            self._answer(204, None, None, started)
        elif path == "/_bench/reset":
            self.state.reset()
            self._answer(204, None, None, started)
        else:
            self._answer(404, {"message": "Not found"}, "other", started)

    def do_GET(self) -> None:
        started = time.perf_counter()
        parts = urlsplit(self.path)
        if parts.path == "/_bench/stats":
            self._answer(200, self.state.stats, None, started)
            return
        if not self.state.authorized(self.headers.get("Authorization")):
            self._answer(401, {"message": "Unauthorized"}, "refused", started)
            return
        if parts.path != "/v2/conversations":
            self._answer(404, {"message": "Not found"}, "other", started)
            return
        try:
            self._list_conversations({k: v[-1] for k, v in parse_qs(parts.query).items()}, started)
        except ValueError as err:
            error = {
                "logRef": "bench",
                "message": "Bad request",
                "_embedded": {"errors": [{"path": "query", "message": str(err)}]},
            }
            self._answer(400, error, "refused", started)

    def _list_conversations(self, query: Mapping[str, str], started: float) -> None:
        status = query.get("status", "active")
        if status not in _STATUSES:
            raise ValueError(f"status {status!r} is not one of {sorted(_STATUSES)}")
        sort_field = query.get("sortField", "createdAt")
        if sort_field not in _SORT_FIELDS:
            raise ValueError(f"sortField {sort_field!r}: the bench serves {sorted(_SORT_FIELDS)}")
        sort_order = query.get("sortOrder", "desc")
        if sort_order not in ("asc", "desc"):
            raise ValueError("sortOrder must be asc or desc")
        mailboxes = (
            frozenset(int(m) for m in query["mailbox"].split(",")) if "mailbox" in query else None
        )
        since = _parse_ts(query["modifiedSince"]) if "modifiedSince" in query else None
        page = int(query.get("page", "1"))
        if page < 1:
            raise ValueError("page starts at 1")
        items = self.state.listing(
            mailboxes, _STATUSES[status], since, sort_field, sort_order == "desc"
        )
        total_pages = math.ceil(len(items) / PAGE_SIZE)
        chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        embed = query.get("embed") == "threads"
        base = "https://api.helpscout.net/v2/conversations?" + "&".join(
            f"{k}={v}" for k, v in query.items() if k != "page"
        )
        links: dict[str, Any] = {
            "self": {"href": f"{base}&page={page}"},
            "first": {"href": f"{base}&page=1"},
            "last": {"href": f"{base}&page={max(total_pages, 1)}"},
            "page": {"href": base + "{&page}", "templated": True},
        }
        if page < total_pages:
            links["next"] = {"href": f"{base}&page={page + 1}"}
        if page > 1:
            links["previous"] = {"href": f"{base}&page={page - 1}"}
        page_info = {
            "size": PAGE_SIZE,
            "totalElements": len(items),
            "totalPages": total_pages,
            "number": page,
        }
        body = b"".join(
            [
                b'{"_embedded":{"conversations":[',
                b",".join(c.with_threads if embed else c.without_threads for c in chunk),
                b']},"page":',
                json.dumps(page_info).encode(),
                b',"_links":',
                json.dumps(links).encode(),
                b"}",
            ]
        )
        self._send(200, body, "list", started, listed=len(chunk))

    def _answer(self, status: int, payload: Any, kind: str | None, started: float) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self._send(status, body, kind, started)

    def _send(
        self, status: int, body: bytes, kind: str | None, started: float, listed: int = 0
    ) -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/hal+json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if kind is not None:
            self.state.count(kind, time.perf_counter() - started, len(body), listed)


def _serve(payloads: Callable[[], list[dict[str, Any]]], conn: Connection) -> None:
    """The server process: build the conversations, answer until terminated."""
    handler = type("Handler", (_Handler,), {"state": HelpScoutState(payloads())})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    conn.send(server.server_address[1])
    server.serve_forever()


class LocalHelpScout:
    """The local Help Scout in a process of its own, forked so it inherits the conversations
    (and so its work is not the pass's: it answers on the other CPU)."""

    def __init__(self, payloads: Callable[[], list[dict[str, Any]]]) -> None:
        receiver, sender = multiprocessing.Pipe(duplex=False)
        self.process = multiprocessing.get_context("fork").Process(
            target=_serve, args=(payloads, sender), daemon=True, name="local-helpscout"
        )
        self.process.start()
        if not receiver.poll(600):
            self.close()
            raise BenchSetupError("the local Help Scout did not start")
        self.port: int = receiver.recv()
        self.api_url = f"http://127.0.0.1:{self.port}/v2"

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            data = None if body is None else json.dumps(body).encode()
            connection.request(method, path, body=data)
            response = connection.getresponse()
            raw = response.read()
            return json.loads(raw) if raw else None
        finally:
            connection.close()

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "/_bench/stats")

    def reset(self) -> None:
        self._control("POST", "/_bench/reset")

    def upsert(self, payloads: list[dict[str, Any]]) -> None:
        self._control("POST", "/_bench/conversations", payloads)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(10)


# --- one pass ------------------------------------------------------------------------------------


class TimedSession(requests.Session):
    """requests' Session that adds up the time spent in each request: the network waits."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0
        self.requests = 0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        started = time.perf_counter()
        try:
            return super().request(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.requests += 1


@dataclass
class PassResult:
    """What one pass did and cost."""

    name: str
    now: str
    wall_s: float = 0.0
    network_wait_s: float = 0.0  # inside HTTP requests to Help Scout, client side
    server_handling_s: float = 0.0  # the local Help Scout's own time answering them
    processing_s: float = 0.0  # wall minus network wait
    cpu_s: float = 0.0  # this process's CPU time (the database server's not included)
    rss_start_mb: float = 0.0
    rss_growth_mb: float = 0.0  # peak RSS during the pass minus RSS at its start
    tracemalloc_peak_mb: float | None = None
    sql_statements: int = 0
    token_requests: int = 0  # counted by the local Help Scout
    list_requests: int = 0
    other_requests: int = 0  # refused or unknown: should be 0
    client_api_calls: int = 0  # HelpScoutClient.api_calls: the pass's own count
    conversations_listed: int = 0
    megabytes_received: float = 0.0
    counts: dict[str, Any] = field(default_factory=dict)  # ReconcileResult.to_dict()
    phases_s: dict[str, float] = field(default_factory=dict)
    phases_wait_s: dict[str, float] = field(default_factory=dict)
    matched_right: int = 0  # notifications paired with the thread they are the copy of
    matched_wrong: int = 0
    unmatched_missing: int = 0  # never in Help Scout, and unmatched: right
    unmatched_present: int = 0  # their thread is in Help Scout, yet unmatched
    notifications_stored: int = 0

    @property
    def helpscout_requests(self) -> int:
        return self.token_requests + self.list_requests + self.other_requests

    @property
    def conversations_per_list_request(self) -> float | None:
        return self.conversations_listed / self.list_requests if self.list_requests else None

    @property
    def list_requests_allowed(self) -> int:
        """One request per 25 conversations listed, counting a part page as one."""
        return max(1, math.ceil(self.conversations_listed / CONVERSATIONS_PER_REQUEST_MIN))


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _pass_in_child(
    conn: Connection,
    *,
    name: str,
    now: datetime,
    settings_values: dict[str, Any],
    expected: dict[str, int | None],
    trace: bool,
) -> None:
    """Run `reconcile` once in this (forked) process; send back a PassResult or a traceback."""
    try:
        conn.send(_measure_pass(name, now, settings_values, expected, trace))
    except BaseException:
        conn.send(traceback.format_exc())
    finally:
        conn.close()


def _measure_pass(
    name: str,
    now: datetime,
    settings_values: dict[str, Any],
    expected: dict[str, int | None],
    trace: bool,
) -> PassResult:
    import tracemalloc

    from sqlalchemy import event, select

    from helpscout_app.amazon.notification_email import NotificationKind
    from helpscout_app.amazon.notification_sources import open_source
    from helpscout_app.helpscout.client import HelpScoutClient
    from helpscout_app.reconciliation import reconcile_pass
    from helpscout_app.reconciliation.notifications import cursor_name
    from helpscout_app.settings import Settings
    from helpscout_app.store.database import create_engine_for, session_factory
    from helpscout_app.store.models import AmazonNotification

    result = PassResult(name=name, now=now.isoformat())
    # Logs go where a deployment's would, but to nowhere: formatted, not printed.
    sink = open(os.devnull, "w")  # noqa: SIM115 - closed with the process
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    app_log = logging.getLogger("helpscout_app")
    app_log.handlers, app_log.propagate = [handler], False
    app_log.setLevel(logging.INFO)

    settings = Settings(_env_file=None, **settings_values)
    engine = create_engine_for(settings.database_url)
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        statements[0] += 1

    http = TimedSession()
    client = HelpScoutClient.from_settings(settings, session=http)
    assert settings.amazon_notifications_url is not None
    url = settings.amazon_notifications_url.get_secret_value()
    phases: dict[str, float] = dict.fromkeys(PHASES, 0.0)
    waits: dict[str, float] = dict.fromkeys(PHASES, 0.0)

    def timed(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started, waited = time.perf_counter(), http.seconds
            try:
                return function(*args, **kwargs)
            finally:
                phases[phase] += time.perf_counter() - started
                waits[phase] += http.seconds - waited

        return run

    for phase in PHASES:
        setattr(reconcile_pass, phase, timed(phase, getattr(reconcile_pass, phase)))

    with session_factory(engine)() as session:
        result.rss_start_mb = _rss_mb()
        if trace:
            tracemalloc.start()
        cpu_started, started = time.process_time(), time.perf_counter()
        outcome = reconcile_pass.reconcile(
            session=session,
            settings=settings,
            now=now,
            client=client,
            source=open_source(url),
            source_cursor=cursor_name(url),
            notifier=None,
        )
        result.wall_s = time.perf_counter() - started
        result.cpu_s = time.process_time() - cpu_started
        if trace:
            result.tracemalloc_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        result.rss_growth_mb = max(0.0, _maxrss_mb() - result.rss_start_mb)
        result.sql_statements = statements[0]
        result.network_wait_s = http.seconds
        result.processing_s = result.wall_s - http.seconds
        result.client_api_calls = client.api_calls
        result.counts = outcome.to_dict()
        result.phases_s, result.phases_wait_s = phases, waits

        rows = session.execute(
            select(AmazonNotification.message_id, AmazonNotification.matched_thread_id).where(
                AmazonNotification.kind == NotificationKind.BUYER_MESSAGE.value
            )
        ).all()
        result.notifications_stored = len(rows)
        for message_id, thread_id in rows:
            wanted = expected.get(message_id)
            if thread_id is None:
                if wanted is None:
                    result.unmatched_missing += 1
                else:
                    result.unmatched_present += 1
            elif thread_id == wanted:
                result.matched_right += 1
            else:
                result.matched_wrong += 1
    engine.dispose()
    return result


def run_pass(
    name: str,
    now: datetime,
    settings_values: dict[str, Any],
    expected: dict[str, int | None],
    server: LocalHelpScout,
    trace: bool,
) -> PassResult:
    """One pass in a forked process, with the server's counts for it."""
    server.reset()
    receiver, sender = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(
        target=_pass_in_child,
        args=(sender,),
        kwargs={
            "name": name,
            "now": now,
            "settings_values": settings_values,
            "expected": expected,
            "trace": trace,
        },
        name=f"reconcile-{name}",
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(_PASS_TIMEOUT_S):
            raise BenchSetupError(f"the {name} pass did not finish in {_PASS_TIMEOUT_S:g} s")
        answer = receiver.recv()
    except EOFError as err:
        raise BenchSetupError(f"the {name} pass died (exit code {process.exitcode})") from err
    finally:
        if process.is_alive():
            process.terminate()
        process.join(10)
    if isinstance(answer, str):
        raise BenchSetupError(f"the {name} pass raised:\n{answer}")
    stats = server.stats()
    answer.token_requests = stats["token"]
    answer.list_requests = stats["list"]
    answer.other_requests = stats["refused"] + stats["other"]
    answer.conversations_listed = stats["conversations_listed"]
    answer.server_handling_s = stats["handling_s"]
    answer.megabytes_received = stats["bytes_sent"] / 2**20
    return answer


# --- the whole run -------------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    """Both passes, what they ran on, and the verdicts."""

    database: str
    conversations: int
    notifications: int
    missing: int
    threads: int
    customer_threads: int
    modified_at_shown: bool
    changes: dict[str, int]
    passes: list[PassResult]
    setup_s: dict[str, float]

    @property
    def first(self) -> PassResult:
        return self.passes[0]

    @property
    def incremental(self) -> PassResult:
        return self.passes[-1]

    @property
    def processing_passed(self) -> bool:
        return self.first.processing_s < PROCESSING_MAX_S

    @property
    def requests_passed(self) -> bool:
        second = self.incremental
        return (
            second.list_requests <= second.list_requests_allowed
            and second.token_requests <= 1
            and second.other_requests == 0
        )

    def to_dict(self) -> dict[str, Any]:
        facts = asdict(self)
        facts["passes"] = [
            {
                **asdict(p),
                "helpscout_requests": p.helpscout_requests,
                "conversations_per_list_request": p.conversations_per_list_request,
            }
            for p in self.passes
        ]
        facts["processing_passed"] = self.processing_passed
        facts["requests_passed"] = self.requests_passed
        return facts


@contextlib.contextmanager
def _database(postgres_url: str | None, workdir: Path) -> Iterator[str]:
    """SQLite in `workdir`, or a database of its own on the PostgreSQL server, dropped after."""
    if postgres_url is None:
        yield f"sqlite:///{workdir / 'amz-guard.sqlite3'}"
        return
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    from helpscout_app.store.database import normalize_url

    url = normalize_url(postgres_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"amzguard_bench_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except DBAPIError as err:
        admin.dispose()
        shown = url.render_as_string(hide_password=True)
        raise BenchSetupError(f"cannot create a database on {shown}: {err.orig}") from err
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _write_maildir(
    folder: mailbox.Maildir, notifications: list[NotificationSpec], templates: dict[str, Template]
) -> None:
    for spec in notifications:
        folder.add(render_notification(templates[spec.template], spec))


def run(
    *,
    conversations: int = 10_000,
    notifications: int = 10_000,
    missing_share: float = 0.02,
    changed_share: float = 0.02,
    new_notifications: int | None = None,
    postgres_url: str | None = None,
    modified_at: bool = True,
    trace: bool = False,
    seed: int = 4,
    progress: Callable[[str], None] = print,
) -> ReconcileReport:
    """Build the data, serve it, run the cold pass and the incremental one; measure both.

    `new_notifications` defaults to 1% of `notifications` (100 for 10,000).
    """
    from helpscout_app.store.migrate import upgrade

    if new_notifications is None:
        new_notifications = max(2, round(notifications * 0.01))
    setup: dict[str, float] = {}
    started = time.perf_counter()
    progress(f"building {conversations:,} conversations and {notifications:,} notifications")
    dataset = build_dataset(conversations, notifications, missing_share, seed)
    templates = load_templates()
    setup["build_s"] = time.perf_counter() - started
    workdir = Path(tempfile.mkdtemp(prefix="amz-guard-bench-reconcile-"))
    server: LocalHelpScout | None = None
    try:
        with every_cpu(), _database(postgres_url, workdir) as database_url:
            started = time.perf_counter()
            specs = dataset.conversations
            server = LocalHelpScout(
                lambda: [_server_record(c, modified_at=modified_at) for c in specs]
            )
            setup["server_start_s"] = time.perf_counter() - started
            started = time.perf_counter()
            maildir_path = workdir / "maildir"
            folder = mailbox.Maildir(maildir_path, create=True)
            _write_maildir(folder, dataset.notifications, templates)
            setup["maildir_s"] = time.perf_counter() - started
            started = time.perf_counter()
            upgrade(database_url)
            setup["migrate_s"] = time.perf_counter() - started
            settings_values = {
                "data_dir": workdir / "data",
                "database_url": database_url,
                "helpscout_app_id": APP_ID,
                "helpscout_app_secret": APP_SECRET,
                "helpscout_api_url": server.api_url,
                "amazon_mailbox_ids": str(MAILBOX_ID),
                "amazon_notifications_url": f"maildir:{maildir_path}",
                "auto_reply_markers": AUTO_REPLY_MARKER,
                "reconcile_lookback_days": 7,
                "missing_grace_minutes": 30,
                "sla_warning_hours": "8,2",
                "digest_hour": 8,
                "digest_timezone": "UTC",
            }
            passes = []
            progress(f"first pass (cold) at {NOW:%Y-%m-%d %H:%M} UTC")
            passes.append(
                run_pass("first", NOW, settings_values, _expected(dataset), server, trace)
            )
            changes = change(dataset, changed_share, new_notifications)
            server.upsert(
                [_server_record(c, modified_at=modified_at) for c in changes.conversations]
            )
            _write_maildir(folder, changes.notifications, templates)
            progress(
                f"incremental pass at {NOW + INTERVAL:%H:%M}: {len(changes.conversations)} "
                f"conversations changed or new, {len(changes.notifications)} notifications"
            )
            passes.append(
                run_pass(
                    "incremental",
                    NOW + INTERVAL,
                    settings_values,
                    _expected(dataset),
                    server,
                    trace,
                )
            )
    finally:
        if server is not None:
            server.close()
        shutil.rmtree(workdir, ignore_errors=True)
    threads = [t for c in dataset.conversations for t in c.threads]
    return ReconcileReport(
        database="PostgreSQL" if postgres_url else "SQLite",
        conversations=conversations,
        notifications=notifications,
        missing=round(notifications * missing_share),
        threads=len(threads),
        customer_threads=sum(t.kind == "customer" for t in threads),
        modified_at_shown=modified_at,
        changes={
            "conversations": len(changes.conversations),
            "replies": changes.replies,
            "follow_ups": changes.follow_ups,
            "other_changes": changes.other_changes,
            "new_conversations": changes.new_conversations,
            "notifications": len(changes.notifications),
            "late_missing": changes.late_missing,
        },
        passes=passes,
        setup_s=setup,
    )


def _expected(dataset: Dataset) -> dict[str, int | None]:
    return {n.message_id: n.thread_id for n in dataset.notifications}


# --- what it prints ------------------------------------------------------------------------------


def _s(value: float) -> str:
    return f"{value:.2f}"


def render(report: ReconcileReport) -> str:
    """The data, the passes side by side, and where each pass spent its time."""
    first, second = report.first, report.incremental
    changes = report.changes
    lines = [
        f"  {report.conversations:,} conversations in mailbox {MAILBOX_ID} ({report.threads:,} "
        f"threads, {report.customer_threads:,} of them buyer messages); "
        f"{report.notifications:,} notification emails in a Maildir, {report.missing:,} of them "
        f"never in Help Scout; store: {report.database}"
        + ("" if report.modified_at_shown else "; conversations without `modifiedAt`"),
        f"  between the passes: {changes['conversations']} conversations changed or new "
        f"({changes['replies']} replies, {changes['follow_ups']} buyer follow-ups, "
        f"{changes['other_changes']} notes or status changes, {changes['new_conversations']} "
        f"new), {changes['notifications']} notifications arrived ({changes['late_missing']} "
        "never in Help Scout, inside the grace period)",
        "",
    ]

    def row(label: str, value: Callable[[PassResult], object]) -> list[object]:
        return [label, value(first), value(second)]

    def count(key: str) -> Callable[[PassResult], object]:
        return lambda p: p.counts.get(key)

    rows = [
        row("notifications ingested", count("ingested")),
        row("conversations listed (server)", lambda p: f"{p.conversations_listed:,}"),
        row("conversations synced", count("conversations_synced")),
        row("matched in the pass", count("matched")),
        row("matched to their own thread (all)", lambda p: f"{p.matched_right:,}"),
        row("matched to another thread", lambda p: p.matched_wrong),
        row("unmatched, never in Help Scout", lambda p: p.unmatched_missing),
        row("unmatched, though in Help Scout", lambda p: p.unmatched_present),
        row("missing (past the grace period)", count("missing")),
        row(
            "warnings / breaches / nrn-needed",
            lambda p: "{} / {} / {}".format(
                p.counts.get("warnings"), p.counts.get("breaches"), p.counts.get("nrn_needed")
            ),
        ),
        row(
            "alerts recorded / resolved",
            lambda p: "{} / {}".format(p.counts.get("alerts_sent"), p.counts.get("resolved")),
        ),
        row("digest", lambda p: "sent" if p.counts.get("digest_sent") else "-"),
        row("errors", lambda p: len(p.counts.get("errors") or []) or "-"),
        row(
            "Help Scout requests (server)",
            lambda p: "{} = {} token + {} list{}".format(
                p.helpscout_requests,
                p.token_requests,
                p.list_requests,
                f" + {p.other_requests} other" if p.other_requests else "",
            ),
        ),
        row("  client's own count (api_calls)", lambda p: p.client_api_calls),
        row(
            "  conversations per list request",
            lambda p: (
                "-"
                if p.conversations_per_list_request is None
                else f"{p.conversations_per_list_request:.1f}"
            ),
        ),
        row("  MB received", lambda p: f"{p.megabytes_received:.1f}"),
        row("wall time s", lambda p: _s(p.wall_s)),
        row("  waiting on Help Scout s (client)", lambda p: _s(p.network_wait_s)),
        row("  of which server handling s", lambda p: _s(p.server_handling_s)),
        row("processing s (wall - wait)", lambda p: _s(p.processing_s)),
        row("CPU s (this process)", lambda p: _s(p.cpu_s)),
        row("SQL statements", lambda p: f"{p.sql_statements:,}"),
        row("RSS at start MB", lambda p: f"{p.rss_start_mb:.0f}"),
        row("peak RSS growth MB", lambda p: f"{p.rss_growth_mb:.0f}"),
    ]
    if first.tracemalloc_peak_mb is not None:
        rows.append(row("tracemalloc peak MB", lambda p: f"{p.tracemalloc_peak_mb:.0f}"))
    lines.append(render_table(["", "first (cold)", "incremental"], rows))
    lines += ["", "  Where the time goes (s; HTTP waits in brackets):", ""]
    phase_rows = []
    for phase in PHASES:
        cells = []
        for p in (first, second):
            seconds, wait = p.phases_s.get(phase, 0.0), p.phases_wait_s.get(phase, 0.0)
            cells.append(f"{seconds:.2f} ({wait:.2f})" if wait else f"{seconds:.2f}")
        phase_rows.append([phase, *cells])
    phase_rows.append(
        ["rest (commits, logging)"]
        + [_s(p.wall_s - sum(p.phases_s.values())) for p in (first, second)]
    )
    lines.append(render_table(["", "first (cold)", "incremental"], phase_rows))
    if first.tracemalloc_peak_mb is not None:
        lines.append("\n  (tracemalloc was on: times are inflated by its bookkeeping)")
    return "\n".join(lines)
