"""The tables: webhook deliveries, conversations and threads, compliance checks and incidents,
alerts sent, Amazon's buyer-message notifications, and the cursors of outside sources' readers.

Help Scout's own ids are the primary keys of `conversations` and `threads`, so the same
conversation seen by a webhook and by a sync is one row. Every other table has a surrogate id and
a natural unique key (`delivery_key`, `(thread_id, body_hash)`, `dedupe_key`, `message_id`) that
makes repeating a write a no-op. Message bodies are never stored: threads and checks keep a hash.

Everything here is portable between SQLite and PostgreSQL: JSON columns, check constraints instead
of native enums, `UTCDateTime` for every timestamp. Change a table only together with a migration
in `migrations/versions/`; a test compares the two.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from helpscout_app.store.timestamps import UTCDateTime, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names fixed in the schema, so later migrations can name what they alter (SQLite's
batch mode needs names to drop or change a constraint)."""

SurrogateId = BigInteger().with_variant(Integer, "sqlite")
"""Our own row ids: BIGINT on PostgreSQL; on SQLite an INTEGER primary key, its autoincrementing
rowid (a BIGINT primary key there would not autoincrement)."""

EMAIL_LENGTH = 320
"""RFC 5321's limit for an address: 64 for the local part, @, 255 for the domain."""


class Base(DeclarativeBase):
    """Declarative base: one metadata with the naming convention; `datetime` maps to UTC."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012 - SQLAlchemy reads it


def _vocabulary(enum_class: type[StrEnum], name: str) -> Enum:
    """A column for one of our vocabularies: VARCHAR plus a CHECK of the values (not the names)."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class DeliveryStatus(StrEnum):
    """Where a webhook delivery stands."""

    PENDING = "pending"  # recorded and queued, not processed yet
    PROCESSED = "processed"
    IGNORED = "ignored"  # nothing to do: not an Amazon conversation, a note of our own, …
    FAILED = "failed"  # the last attempt raised; RQ may still retry it


class CheckSource(StrEnum):
    """What was checked: a sent reply, a draft, or a reply scheduled with Send Later."""

    REPLY = "reply"
    DRAFT = "draft"
    SCHEDULED = "scheduled"


class IncidentStage(StrEnum):
    """When amz-guard found a reply non-compliant: before it went out (a draft or a Send Later
    reply, still to be changed or stopped) or once it was sent. A draft flagged and then sent
    unchanged has an incident at each stage: the sending is a fact of its own, with its own
    note, tag and alert."""

    UNSENT = "unsent"
    SENT = "sent"

    @classmethod
    def of(cls, source: CheckSource) -> IncidentStage:
        """The stage at which a reply seen as `source` is."""
        return cls.SENT if CheckSource(source) is CheckSource.REPLY else cls.UNSENT


class IncidentAction(StrEnum):
    """What amz-guard did about a non-compliant reply; an incident lists each one done."""

    NOTE = "note"
    TAGGED = "tagged"
    SCHEDULE_CANCELLED = "schedule_cancelled"
    ALERTED = "alerted"


class WebhookDelivery(Base):
    """One Help Scout webhook delivery; a redelivery finds its key taken and is dropped."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(SurrogateId, primary_key=True)
    delivery_key: Mapped[str] = mapped_column(String(255), unique=True)
    event_name: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    received_at: Mapped[datetime]
    status: Mapped[DeliveryStatus] = mapped_column(
        _vocabulary(DeliveryStatus, "status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class Conversation(Base):
    """What amz-guard knows of one Help Scout conversation, from webhooks and syncs.

    Columns other than the id may be unknown (NULL) until a webhook or a sync fills them in.
    """

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    number: Mapped[int | None] = mapped_column(BigInteger)  # what agents see, e.g. #1234
    mailbox_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str | None] = mapped_column(String(16))  # Help Scout's: active, closed, …
    customer_email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    # The buyer's Amazon relay address without its +suffix, to match Amazon's notifications.
    relay_base_address: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), index=True)
    is_amazon: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str | None] = mapped_column(Text)
    order_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    marketplace: Mapped[str | None] = mapped_column(String(16))  # SP-API marketplace ID
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_customer_message_at: Mapped[datetime | None]
    last_agent_reply_at: Mapped[datetime | None]
    # The response clock (reconciliation.clock keeps these three in step with the threads): the
    # oldest buyer message no reply or "No response needed" has covered yet, its thread when
    # known, and Amazon's 24-hour deadline for it; all NULL when nothing waits.
    waiting_since: Mapped[datetime | None]
    waiting_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # "No response needed" marked in Seller Central (the `nrn-done` tag or the sidebar): buyer
    # messages up to this time need no reply.
    nrn_marked_at: Mapped[datetime | None]
    nrn_marked_by: Mapped[str | None] = mapped_column(String(255))
    closed_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]  # Help Scout's userUpdatedAt/modifiedAt
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    threads: Mapped[list[Thread]] = relationship(
        back_populates="conversation", order_by="Thread.id", passive_deletes=True
    )


class Thread(Base):
    """One thread of a conversation: a customer message, a reply, a note, a draft, …"""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # Help Scout's open vocabularies, kept as they come: type customer, message, reply, note,
    # lineitem, chat, …; state published, draft, underReview, hidden; scheduled replies are drafts
    # with `scheduled_for` set.
    type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str | None] = mapped_column(String(32))
    created_by_kind: Mapped[str | None] = mapped_column(String(16))  # "customer" or "user"
    created_by_user_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime | None]  # when Help Scout received it
    # A buyer message's time by Amazon's own notification of it (the one matched to it), kept
    # when Help Scout received the message well after: Amazon's clock started then.
    buyer_sent_at: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None]
    body_hash: Mapped[str | None] = mapped_column(String(64))  # compliance_checks.body_hash
    is_auto_reply: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    conversation: Mapped[Conversation] = relationship(back_populates="threads")


class ComplianceCheck(Base):
    """The detector's verdict on one version of a reply, draft or scheduled reply.

    Unique per (thread, body hash): a draft is checked, and flagged, once per content.
    `findings` holds each finding's kind, severity, rule, offsets, text and message, nothing
    more of the body.
    """

    __tablename__ = "compliance_checks"
    __table_args__ = (UniqueConstraint("thread_id", "body_hash"),)

    id: Mapped[int] = mapped_column(SurrogateId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    thread_id: Mapped[int] = mapped_column(BigInteger)
    body_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[CheckSource] = mapped_column(_vocabulary(CheckSource, "source"))
    blocked: Mapped[bool]
    finding_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime]


class ComplianceIncident(Base):
    """A blocked reply amz-guard acted on: one per check and stage, listing the actions done so
    far.

    `actions` grows as a job completes each step, so a retried job can skip what is done.
    `attempts` lists the steps begun whose outcome a lost job may never have recorded (a note
    posted just before the database went away): a retry checks Help Scout before doing them.
    """

    __tablename__ = "compliance_incidents"
    __table_args__ = (UniqueConstraint("check_id", "stage"),)

    id: Mapped[int] = mapped_column(SurrogateId, primary_key=True)
    check_id: Mapped[int] = mapped_column(
        SurrogateId, ForeignKey("compliance_checks.id", ondelete="CASCADE")
    )
    stage: Mapped[IncidentStage] = mapped_column(_vocabulary(IncidentStage, "stage"))
    conversation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    thread_id: Mapped[int] = mapped_column(BigInteger)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    agent_name: Mapped[str | None] = mapped_column(String(255))
    finding_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)  # IncidentAction values
    attempts: Mapped[list[str]] = mapped_column(JSON, default=list)  # IncidentAction values
    created_at: Mapped[datetime]

    check: Mapped[ComplianceCheck] = relationship()


class AlertSent(Base):
    """One Slack alert, under the key of the fact and level it reports: never sent twice."""

    __tablename__ = "alerts_sent"

    id: Mapped[int] = mapped_column(SurrogateId, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    tag: Mapped[str] = mapped_column(String(32), index=True)  # DESIGN.md's tag, without brackets
    conversation_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    summary: Mapped[str | None] = mapped_column(Text)  # the fallback text, for the record
    sent_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # Where Slack put the message (bot token only; an incoming webhook does not say), so that
    # a resolution can be posted in its thread.
    slack_channel: Mapped[str | None] = mapped_column(String(64))
    slack_ts: Mapped[str | None] = mapped_column(String(32))


class AmazonNotification(Base):
    """One of Amazon's notification emails, from the independent copy.

    Stored even when it cannot be parsed (`parse_error` says why), so nothing is dropped unseen.
    """

    __tablename__ = "amazon_notifications"

    id: Mapped[int] = mapped_column(SurrogateId, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)  # RFC 5322 line limit
    kind: Mapped[str] = mapped_column(String(32))  # buyer_message, return_request, …, other
    order_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    relay_address: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    relay_base_address: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), index=True)
    buyer_name: Mapped[str | None] = mapped_column(String(255))
    marketplace: Mapped[str | None] = mapped_column(String(16))  # SP-API marketplace ID
    subject: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(index=True)
    no_response_needed_url: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[str | None] = mapped_column(String(64))  # Seller Central's case, for links
    matched_thread_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    matched_conversation_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    matched_at: Mapped[datetime | None]
    source_id: Mapped[str | None] = mapped_column(String(255))  # where the source kept it
    parse_error: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)


class SyncCursor(Base):
    """How far a reader of an outside source got: the notification source's cursor, the Help
    Scout sync's watermark. One row per reader, written in the transaction of what it read."""

    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
