"""Running reconciliation: the periodic RQ job and `amz-guard reconcile --once` run the same pass,
and the daily digest it sends."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from imap_server import PASSWORD, PASSWORD_IN_URL, running_dovecot
from pydantic import SecretStr
from reconciliation_times import at
from reconciliation_world import AmazonMailbox, FakeHelpScout
from redis import Redis
from rq.job import JobStatus
from sqlalchemy.orm import Session

from helpscout_app.cli import main
from helpscout_app.reconciliation.digest import build_digest, digest_period
from helpscout_app.reconciliation.reconcile_pass import run_reconcile_pass
from helpscout_app.settings import Settings
from helpscout_app.store.compliance_checks import body_hash, record_check, record_incident
from helpscout_app.store.database import create_engine_for, session_factory
from helpscout_app.store.models import CheckSource, IncidentStage
from workers.queues import PERIODIC_QUEUE, queue_for
from workers.schedule import RECONCILE, pass_lock

if TYPE_CHECKING:
    from conftest import RunQueuedJobs

ORDER = "112-4839201-5512347"
ALIAS = "q1w2e3r4t5y6u7i"


@pytest.fixture
def exported(
    worker_environment: Settings, reconcile_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """The scenario settings in the environment, where jobs read them (after the test settings
    `worker_environment` exports)."""
    assert reconcile_settings.slack_webhook_url is not None
    monkeypatch.setenv("HELPSCOUT_API_URL", reconcile_settings.helpscout_api_url)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", reconcile_settings.slack_webhook_url.get_secret_value())
    monkeypatch.setenv("AMAZON_MAILBOX_IDS", "101")
    return reconcile_settings


@pytest.mark.usefixtures("store_session")
def test_the_periodic_job_runs_a_pass_and_schedules_the_next(
    exported: Settings,
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    redis_conn: Redis,
    run_queued_jobs: RunQueuedJobs,
    fake_slack: Any,
) -> None:
    now = datetime.now(UTC)
    amazon_mailbox.deliver(alias=ALIAS, order=ORDER, at=now)
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=now)
    helpscout.customer_message(1, 11, now)
    job = queue_for(redis_conn, PERIODIC_QUEUE).enqueue(RECONCILE.function)

    run_queued_jobs()

    assert job.get_status() is JobStatus.FINISHED
    result = job.return_value()
    assert (result["ingested"], result["conversations_synced"], result["matched"]) == (1, 1, 1)
    assert result["errors"] == []
    scheduled = queue_for(redis_conn, PERIODIC_QUEUE).scheduled_job_registry.get_job_ids()
    assert [job_id.rsplit("-", 1)[0] for job_id in scheduled] == ["amzguard-reconcile"]
    assert not redis_conn.exists("amzguard:lock:reconcile")


@pytest.mark.usefixtures("store_session", "exported")
def test_a_pass_is_skipped_while_another_runs(
    redis_conn: Redis, run_queued_jobs: RunQueuedJobs, helpscout: FakeHelpScout
) -> None:
    running = pass_lock(redis_conn, RECONCILE)
    assert running.acquire()
    job = queue_for(redis_conn, PERIODIC_QUEUE).enqueue(RECONCILE.function)

    run_queued_jobs()

    assert job.return_value() == {"skipped": "the previous pass is still running"}
    assert helpscout.list_requests == 0
    running.release()


@pytest.mark.usefixtures("store_session")
def test_the_command_runs_one_pass_on_the_given_clock_and_prints_json(
    reconcile_settings: Settings,
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    fake_slack: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))
    amazon_mailbox.deliver(alias="zz9yy8xx7ww6vv5", order="113-0000000-0000001", at=at(0))

    status = main(
        ["reconcile", "--once", "--now", "2026-11-21T02:00:00Z", "--json"], reconcile_settings
    )

    counts = json.loads(capsys.readouterr().out)
    assert status == 0
    assert {name: counts[name] for name in ("ingested", "matched", "missing", "warnings")} == {
        "ingested": 1,
        "matched": 0,
        "missing": 1,
        "warnings": 1,
    }
    assert counts["alerts_sent"] == 2 + counts["digest_sent"]


def test_the_command_needs_once(
    reconcile_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reconcile"], reconcile_settings) == 2
    assert "give --once" in capsys.readouterr().err


@pytest.mark.usefixtures("store_session")
def test_a_broken_mailbox_is_reported_and_the_rest_of_the_pass_still_runs(
    reconcile_settings: Settings,
    helpscout: FakeHelpScout,
    capsys: pytest.CaptureFixture[str],
) -> None:
    helpscout.conversation(1, alias=ALIAS, order=ORDER, modified_at=at(0))
    helpscout.customer_message(1, 11, at(0))

    status = main(["reconcile", "--once", "--now", "2026-11-21T02:00:00Z"], reconcile_settings)

    captured = capsys.readouterr()
    assert status == 1
    assert "warnings: 1" in captured.out
    assert "notification source: cannot read the Maildir" in captured.err


@pytest.mark.parametrize(
    ("now", "day", "since", "until"),
    [
        (at(0), date(2026, 11, 20), "2026-11-19T08:00", "2026-11-20T08:00"),
        (at(-2), date(2026, 11, 19), "2026-11-18T08:00", "2026-11-19T08:00"),
    ],
)
def test_the_digest_covers_the_24_hours_before_the_last_digest_hour(
    now: datetime, day: date, since: str, until: str
) -> None:
    found = digest_period(now, hour=8, timezone="UTC")

    assert found == (
        day,
        datetime.fromisoformat(since + "+00:00"),
        datetime.fromisoformat(until + "+00:00"),
    )


def test_the_digest_hour_is_local_time() -> None:
    found = digest_period(at(0), hour=9, timezone="Europe/Berlin")  # 09:00 in Berlin is 08:00 UTC

    assert found == (
        date(2026, 11, 20),
        datetime(2026, 11, 19, 8, tzinfo=UTC),
        datetime(2026, 11, 20, 8, tzinfo=UTC),
    )


def test_the_digest_counts_the_day_and_goes_out_once(
    reconcile_settings: Settings,
    amazon_mailbox: AmazonMailbox,
    helpscout: FakeHelpScout,
    store_session: Session,
    fake_slack: Any,
) -> None:
    # The digest of Saturday 21 Nov 08:00 covers Friday 08:00 to Saturday 08:00: #1's message
    # was due in it and answered in 2 h, #2's was due in it and answered 30 h late (in the
    # period), #3's came in it unanswered, and one came in it but never reached Help Scout.
    helpscout.conversation(1, alias="aa1bb2cc3dd4ee5", order=ORDER, modified_at=at(4))
    helpscout.customer_message(1, 11, at(-22))  # Thu 11:00, due Fri 11:00
    helpscout.reply(1, 12, at(-20))
    helpscout.conversation(2, alias="ff6gg7hh8ii9jj0", order=ORDER, modified_at=at(4))
    helpscout.customer_message(2, 21, at(-20))  # Thu 13:00, due Fri 13:00: answered Sat
    helpscout.reply(2, 22, at(10))
    helpscout.conversation(3, alias="kk1ll2mm3nn4oo5", order=ORDER, modified_at=at(4))
    helpscout.customer_message(3, 31, at(2))
    amazon_mailbox.deliver(alias="pp6qq7rr8ss9tt0", order="113-1111111-1111111", at=at(3))
    run_reconcile_pass(store_session, reconcile_settings, now=at(4))
    day, since, until = digest_period(at(23), hour=8, timezone="UTC")

    digest = build_digest(
        store_session, day=day, since=since, until=until, grace=timedelta(minutes=30)
    )
    first = run_reconcile_pass(store_session, reconcile_settings, now=at(23))
    second = run_reconcile_pass(store_session, reconcile_settings, now=at(23, 30))

    assert (digest.received, digest.missing) == (2, 1)  # #3's message and the missing one
    assert (digest.answered_in_time, digest.late) == (1, 1)
    assert digest.noncompliant_replies == 0
    assert (first.digest_sent, second.digest_sent) == (True, False)
    digests = [p["text"] for p in fake_slack.posted() if p["text"].startswith("[digest]")]
    assert len(digests) == 2  # Friday's, sent by the first pass, and Saturday's
    text = digests[1]
    assert text.startswith(
        "[digest] Amazon messages, Fri 20 Nov 08:00 UTC to Sat 21 Nov 08:00 UTC: "
    )
    assert "2 received, 1 answered in time, 1 late, 1 missing from Help Scout" in text
    assert "response time median 30 h 00 min" in text  # #2's, the one answered in the period


def test_the_digest_counts_the_non_compliant_replies_sent_in_its_period(
    store_session: Session,
) -> None:
    """Sent ones only, each once: a draft flagged and sent unchanged counts when it was sent;
    a draft never sent, or a reply sent before the period, does not count."""
    day, since, until = digest_period(at(23), hour=8, timezone="UTC")

    def blocked(
        thread_id: int, source: CheckSource, *stages: tuple[IncidentStage, datetime]
    ) -> None:
        check, _ = record_check(
            store_session,
            conversation_id=1,
            thread_id=thread_id,
            body_hash=body_hash(f"reply {thread_id}"),
            source=source,
            blocked=True,
            findings=[],
        )
        for stage, opened_at in stages:
            record_incident(store_session, check, stage=stage, now=opened_at)

    blocked(1, CheckSource.REPLY, (IncidentStage.SENT, since + timedelta(hours=1)))
    blocked(2, CheckSource.DRAFT, (IncidentStage.UNSENT, since + timedelta(hours=2)))
    blocked(
        3,
        CheckSource.DRAFT,
        (IncidentStage.UNSENT, since - timedelta(hours=3)),
        (IncidentStage.SENT, since + timedelta(hours=3)),
    )
    blocked(4, CheckSource.SCHEDULED, (IncidentStage.UNSENT, since + timedelta(hours=4)))
    blocked(5, CheckSource.REPLY, (IncidentStage.SENT, since - timedelta(minutes=1)))
    store_session.commit()

    digest = build_digest(
        store_session, day=day, since=since, until=until, grace=timedelta(minutes=30)
    )

    assert digest.noncompliant_replies == 2  # threads 1 and 3


@pytest.mark.usefixtures("store_session")
def test_a_pass_reads_the_notifications_over_imaps_without_changing_the_mailbox(
    reconcile_settings: Settings,
    helpscout: FakeHelpScout,
    fake_slack: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with running_dovecot() as dovecot:
        monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert_file))  # trust its certificate
        imaps = reconcile_settings.model_copy(
            update={"amazon_notifications_url": SecretStr(dovecot.url("imaps"))}
        )
        for alias, hours in (("aa1bb2cc3dd4ee5", 0), ("ff6gg7hh8ii9jj0", 1)):
            _, raw = AmazonMailbox.notification(alias=alias, order=ORDER, at=at(hours))
            dovecot.deliver(raw)
        helpscout.conversation(1, alias="aa1bb2cc3dd4ee5", order=ORDER, modified_at=at(0))
        helpscout.customer_message(1, 11, at(0))
        files_before = messages_in(dovecot.maildir)

        first = run_reconcile_pass_in(imaps, at(2))
        second = run_reconcile_pass_in(imaps, at(2, 5))
        files_after = messages_in(dovecot.maildir)

    assert (first.ingested, first.matched, first.missing, first.errors) == (2, 1, 1, [])
    assert (second.ingested, second.missing) == (0, 1)
    assert [t for t in (p["text"] for p in fake_slack.posted()) if t.startswith("[missing]")]
    assert files_after == files_before  # nothing deleted, no flag set (read-only)


def messages_in(maildir: Path) -> list[tuple[str, str]]:
    """The Maildir's messages: unique name and flags (what follows ":2," in cur/), sorted."""
    found = []
    for sub in ("new", "cur"):
        for path in (maildir / sub).iterdir():
            name, _, info = path.name.partition(":2,")
            found.append((name, info))
    return sorted(found)


def run_reconcile_pass_in(settings: Settings, now: datetime) -> Any:
    engine = create_engine_for(settings.database_url)
    try:
        with session_factory(engine)() as session:
            return run_reconcile_pass(session, settings, now=now)
    finally:
        engine.dispose()


@pytest.mark.usefixtures("store_session")
def test_the_command_logs_json_lines_without_the_mailbox_password(
    reconcile_settings: Settings,
    helpscout: FakeHelpScout,
    fake_slack: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running_dovecot() as dovecot:
        monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert_file))
        settings = reconcile_settings.model_copy(
            update={"amazon_notifications_url": SecretStr(dovecot.url("imaps"))}
        )
        dovecot.deliver(AmazonMailbox.notification(alias=ALIAS, order=ORDER, at=at(0))[1])
        status = main(["reconcile", "--once", "--now", "2026-11-21T02:00:00Z"], settings)

    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines()]
    assert status == 0
    assert any(line["event"].startswith("notifications read") for line in lines)
    assert PASSWORD not in err and PASSWORD_IN_URL not in err
