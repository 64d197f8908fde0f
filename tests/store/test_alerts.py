"""Alerts sent: claimed once per fact and level, across sessions, threads and processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from conftest import Race
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpscout_app.store.alerts import alert_dedupe_key, claim_alert, release_alert, resolve_alert
from helpscout_app.store.models import AlertSent

SENT_AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
RESOLVED_AT = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)
KEY = "noncompliant-sent:conv:123:thread:456"


@pytest.mark.parametrize(
    ("tag", "facts", "key"),
    [
        ("noncompliant-sent", {"conv": 123, "thread": 456}, KEY),
        (
            "sla-warning",
            {"conv": 123, "thread": 789, "level": "8h"},
            "sla-warning:conv:123:thread:789:level:8h",
        ),
        ("missing", {"message": "<a@amazon.com>"}, "missing:message:<a@amazon.com>"),
        ("digest", {"day": "2026-05-04"}, "digest:day:2026-05-04"),
    ],
)
def test_dedupe_keys_name_the_tag_then_each_fact(
    tag: str, facts: dict[str, object], key: str
) -> None:
    assert alert_dedupe_key(tag, **facts) == key


def test_an_alert_is_claimed_once(session: Session) -> None:
    assert claim_alert(
        session,
        KEY,
        "noncompliant-sent",
        conversation_id=123,
        summary="[noncompliant-sent] …",
        now=SENT_AT,
    )
    session.commit()

    assert not claim_alert(session, KEY, "noncompliant-sent", conversation_id=123)
    session.commit()

    alert = session.scalars(select(AlertSent)).one()
    assert (alert.dedupe_key, alert.tag, alert.conversation_id) == (KEY, "noncompliant-sent", 123)
    assert alert.summary == "[noncompliant-sent] …"
    assert (alert.sent_at, alert.resolved_at) == (SENT_AT, None)


def test_racing_claims_let_exactly_one_through(race: Race) -> None:
    for number in range(10):
        key = f"sla-breached:conv:{number}:thread:1"
        outcomes = race(4, lambda session, key=key: claim_alert(session, key, "sla-breached"))
        assert sorted(outcomes) == [False, False, False, True], key


def test_racing_processes_claim_each_key_once(engine: object, database_url: str) -> None:
    # Separate interpreters, as separate RQ workers would be: no shared memory, only the database.
    claimer = textwrap.dedent(
        """
        import sys
        from helpscout_app.store.alerts import claim_alert
        from helpscout_app.store.database import create_engine_for, session_factory

        engine = create_engine_for(sys.argv[1])
        claimed = 0
        for number in range(25):
            with session_factory(engine)() as session:
                key = f"sla-warning:conv:{number}:level:2h"
                claimed += claim_alert(session, key, "sla-warning")
                session.commit()
        engine.dispose()
        print(claimed)
        """
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", claimer, database_url], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    claimed = [int(worker.communicate(timeout=120)[0]) for worker in workers]

    assert all(worker.returncode == 0 for worker in workers)
    assert sum(claimed) == 25


def test_a_released_claim_can_be_claimed_again(session: Session) -> None:
    claim_alert(session, KEY, "noncompliant-sent")
    session.commit()

    assert release_alert(session, KEY)
    assert not release_alert(session, KEY)
    assert claim_alert(session, KEY, "noncompliant-sent")


def test_an_alert_is_resolved_once(session: Session) -> None:
    claim_alert(session, KEY, "missing", now=SENT_AT)

    assert resolve_alert(session, KEY, now=RESOLVED_AT)
    assert not resolve_alert(session, KEY)
    session.commit()

    alert = session.scalars(select(AlertSent)).one()
    session.refresh(alert)
    assert alert.resolved_at == RESOLVED_AT


def test_resolving_an_alert_never_sent_does_nothing(session: Session) -> None:
    assert not resolve_alert(session, KEY)


def test_a_resolved_alert_is_not_claimed_again(session: Session) -> None:
    claim_alert(session, KEY, "missing")
    resolve_alert(session, KEY)

    assert not claim_alert(session, KEY, "missing")


def test_dedupe_keys_are_unique(session: Session) -> None:
    row = {"dedupe_key": KEY, "tag": "missing", "sent_at": SENT_AT}
    session.execute(insert(AlertSent).values(row))

    with pytest.raises(IntegrityError):
        session.execute(insert(AlertSent).values(row))
