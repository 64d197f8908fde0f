"""The `amz-guard` command: one entry point, one subcommand per process or one-shot job.

Each subcommand is an `add_…_command(commands)` function that declares its arguments and the
`run_…(args, settings)` function that carries it out; `COMMANDS` lists them all. A run function
returns the exit status and imports what it needs itself, so `amz-guard check` never loads Flask
and `amz-guard serve` never loads the detector until a request needs it.

Exit status: 0 success (for `check`: compliant), 1 `check` found something that blocks (or a
one-shot pass failed, or a `doctor` check failed), 2 usage, input or configuration error
(DESIGN.md, "Detector"); `doctor` reports a configuration error as its first failed check.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO
from urllib.parse import urlsplit

from helpscout_app.settings import ConfigurationError, Settings, load_settings

if TYPE_CHECKING:
    from helpscout_app.compliance.findings import Finding, Report
    from helpscout_app.doctor.checks import CheckResult

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_FAILED = 1  # a one-shot pass or a Help Scout set-up step that could not be done
EXIT_USAGE = 2

STDIN_NAME = "-"


class UsageError(Exception):
    """The command cannot run as asked; the message is one line saying what to fix."""


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run one `amz-guard` subcommand and return its exit status.

    Settings come from the environment only if none are given, and only after the arguments
    parse, so `--help` works on a machine that is not configured yet.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # argparse exits for --help (0) and usage errors (2)
        return int(exit_request.code or EXIT_OK)
    try:
        if settings is None:
            settings = load_settings()
        return args.run(args, settings)
    except ConfigurationError as err:
        # A command that reports broken settings itself (doctor) gets them instead of a crash.
        if settings is None and hasattr(args, "run_unconfigured"):
            return args.run_unconfigured(args, err)
        print(f"amz-guard: configuration error: {err}", file=sys.stderr)
    except UsageError as err:
        print(f"amz-guard {args.command}: {err}", file=sys.stderr)
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand in `COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="amz-guard",
        description="Keep replies to Amazon buyers inside Amazon's messaging rules.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(commands)
    return parser


# --- amz-guard check ---------------------------------------------------------------------------


def add_check_command(commands: Any) -> None:
    """`amz-guard check [--html] [--attachment NAME ...] [--json] [FILE|-]`."""
    parser = commands.add_parser(
        "check",
        help="check a reply for contact info and playbook issues",
        description=(
            "Check one reply to an Amazon buyer. Exit status: 0 compliant, 1 blocked, "
            "2 usage or input error."
        ),
    )
    parser.add_argument(
        "file",
        nargs="?",
        default=STDIN_NAME,
        metavar="FILE",
        help="UTF-8 file holding the reply; '-' or nothing reads standard input",
    )
    parser.add_argument("--html", action="store_true", help="the reply is an HTML body")
    parser.add_argument(
        "--attachment",
        action="append",
        default=[],
        metavar="NAME",
        help="file name of an attachment on the reply (repeat for each one)",
    )
    parser.add_argument(
        "--allow-order-documents",
        action="store_true",
        help="allow the attachments Amazon permits: instructions, warranty, invoice",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=run_check)


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Check the reply and print the report; 1 if anything blocks it."""
    from helpscout_app.compliance import CheckOptions, check

    text = read_reply(args.file, sys.stdin.buffer)
    options = CheckOptions(
        allowed_phone_numbers=settings.amazon_cs_phone_numbers,
        allow_order_documents=args.allow_order_documents,
    )
    report = check(text, html=args.html, attachments=tuple(args.attachment), options=options)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        write_report(report, text, sys.stdout)
    return EXIT_BLOCKED if report.blocked else EXIT_OK


def read_reply(file: str, stdin: BinaryIO) -> str:
    """The text of FILE (or of `stdin` for '-'), decoded as UTF-8.

    Raises `UsageError` naming the input when it cannot be read or is not UTF-8.
    """
    if file == STDIN_NAME:
        name, raw_text = "standard input", stdin.read()
    else:
        name = file
        try:
            raw_text = Path(file).read_bytes()
        except OSError as err:
            raise UsageError(f"cannot read {file}: {err.strerror or err}") from err
    try:
        return raw_text.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(
            f"{name} is not UTF-8 text (byte 0x{raw_text[err.start]:02x} at offset {err.start}); "
            "convert it first, e.g. with iconv -t UTF-8"
        ) from err


def write_report(report: Report, text: str, out: TextIO) -> None:
    """One line per finding, a blank line, then the redacted text."""
    for finding in report.findings:
        print(format_finding(finding, text), file=out)
    if report.findings:
        print(file=out)
    out.write(report.redacted if report.redacted.endswith("\n") else report.redacted + "\n")


def format_finding(finding: Finding, text: str) -> str:
    """`line:col  severity  kind  rule  "text"  message`; attachments have no position ("-")."""
    if finding.kind == "attachment":  # not in the text: the contract puts them at its end
        position = "-"
    else:
        line = text.count("\n", 0, finding.start) + 1
        column = finding.start - text.rfind("\n", 0, finding.start)
        position = f"{line}:{column}"
    quoted_text = json.dumps(finding.text, ensure_ascii=False)  # newlines and quotes escaped
    return "  ".join(
        (position, finding.severity, finding.kind, finding.rule, quoted_text, finding.message)
    )


# --- amz-guard serve ---------------------------------------------------------------------------


def add_serve_command(commands: Any) -> None:
    """`amz-guard serve [--host H] [--port P]`."""
    parser = commands.add_parser(
        "serve",
        help="run the development web server",
        description=(
            "Run the web app on Flask's development server. In production, serve "
            "helpscout_app:create_app() with gunicorn instead (see the Dockerfile)."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=port_number, default=8000, help="port to listen on (default 8000)"
    )
    parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the app until interrupted."""
    from helpscout_app import create_app

    create_app(settings).run(host=args.host, port=args.port)
    return EXIT_OK


def port_number(value: str) -> int:
    """A TCP port for argparse: 0 (any free port) to 65535."""
    if not (value.isascii() and value.isdigit()) or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return int(value)


# --- amz-guard db ------------------------------------------------------------------------------


def add_db_command(commands: Any) -> None:
    """`amz-guard db upgrade`."""
    parser = commands.add_parser(
        "db",
        help="manage the database schema",
        description="Manage the schema of the database at DATABASE_URL.",
    )
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser(
        "upgrade",
        help="migrate the database to the newest schema",
        description=(
            "Create or migrate the tables at DATABASE_URL to the newest schema; safe to run "
            "again. Exit status: 0 done, 2 bad DATABASE_URL or database unreachable."
        ),
    )
    upgrade.set_defaults(run=run_db_upgrade)


def run_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Run the migrations and say where the database stands."""
    from helpscout_app.store.database import normalize_url
    from helpscout_app.store.errors import DatabaseUnavailable
    from helpscout_app.store.migrate import current_revision, head_revision, upgrade

    try:
        before = current_revision(settings.database_url)
        upgrade(settings.database_url)
    except DatabaseUnavailable as err:
        raise UsageError(f"{err}; check DATABASE_URL") from err
    shown = normalize_url(settings.database_url).render_as_string(hide_password=True)
    head = head_revision()
    if before == head:
        print(f"{shown}: already at revision {head}, the newest; nothing to do")
    else:
        print(f"{shown}: upgraded from {before or 'an empty database'} to revision {head}")
    return EXIT_OK


# --- amz-guard worker --------------------------------------------------------------------------


def add_worker_command(commands: Any) -> None:
    """`amz-guard worker [--burst]`."""
    parser = commands.add_parser(
        "worker",
        help="run an RQ worker on amz-guard's queues, with RQ's scheduler",
        description=(
            "Process webhook deliveries and periodic passes (the draft scan every "
            "DRAFT_SCAN_INTERVAL_S) from the Redis at REDIS_URL until stopped. Run as many as "
            "needed: each periodic pass runs once per interval however many workers run. "
            "Exit status: 0 stopped, 2 database not migrated or Redis unreachable."
        ),
    )
    parser.add_argument(
        "--burst",
        action="store_true",
        help="process what is queued and due, then exit (as `rq worker --burst`)",
    )
    parser.set_defaults(run=run_worker)


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Work the queues until stopped, or until they are empty with --burst."""
    from workers.worker import WorkerCannotStart, work_queues

    try:
        work_queues(settings, burst=args.burst)
    except WorkerCannotStart as err:
        raise UsageError(str(err)) from err
    return EXIT_OK


# --- amz-guard scan-drafts ---------------------------------------------------------------------


def add_scan_drafts_command(commands: Any) -> None:
    """`amz-guard scan-drafts --once [--now ISO8601] [--json]`."""
    parser = commands.add_parser(
        "scan-drafts",
        help="run one pass of the draft scan and Send-Later gate",
        description=(
            "Look at the drafts and Send-Later replies of active Amazon conversations changed "
            "since the last pass, in this process, and print what was done. The worker runs "
            "the same pass every DRAFT_SCAN_INTERVAL_S. Exit status: 0 done, 1 the pass "
            "failed (Help Scout, Slack or the database), 2 usage or configuration error."
        ),
    )
    parser.add_argument(
        "--once", action="store_true", help="run one pass and exit (required: the only mode)"
    )
    parser.add_argument(
        "--now",
        type=iso_datetime,
        default=None,
        metavar="ISO8601",
        help="the pass's clock, e.g. 2026-11-20T10:00:00Z (no offset means UTC; default: now)",
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.set_defaults(run=run_scan_drafts)


def run_scan_drafts(args: argparse.Namespace, settings: Settings) -> int:
    """One draft-scan pass in-process; counts on standard output."""
    from sqlalchemy.exc import OperationalError

    from helpscout_app.alerts.errors import AlertDeliveryError
    from helpscout_app.alerts.slack import SlackNotifier
    from helpscout_app.enforcement.draft_scan import scan_drafts
    from helpscout_app.helpscout.client import HelpScoutClient
    from helpscout_app.helpscout.errors import HelpScoutAPIError
    from helpscout_app.observability.logging import configure_logging_for
    from helpscout_app.store.database import create_engine_for, session_factory

    if not args.once:
        raise UsageError(
            "give --once: this command runs one pass (`amz-guard worker` runs it periodically)"
        )
    require_migrated_database(settings)
    configure_logging_for(settings)  # cron keeps these lines: JSON, secrets masked
    client = HelpScoutClient.from_settings(settings)
    notifier = SlackNotifier.from_settings(settings)
    now = args.now or datetime.now(UTC)
    engine = create_engine_for(settings.database_url)
    try:
        with session_factory(engine)() as session:
            result = scan_drafts(
                client=client, session=session, notifier=notifier, settings=settings, now=now
            )
            session.commit()
    except (HelpScoutAPIError, AlertDeliveryError, OperationalError) as err:
        # What the pass finished before the failure is recorded; the next pass does the rest.
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        print(f"amz-guard scan-drafts: the pass failed: {reason}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()
    counts = result.to_dict()
    if args.json:
        print(json.dumps(counts, indent=2, default=str))
    else:
        for name, value in counts.items():
            print(f"{name}: {value}")
    return EXIT_OK


# --- amz-guard reconcile -----------------------------------------------------------------------


def add_reconcile_command(commands: Any) -> None:
    """`amz-guard reconcile --once [--now ISO8601] [--json]`."""
    parser = commands.add_parser(
        "reconcile",
        help="run one reconciliation pass (notifications, Help Scout, 24-hour clock, alerts)",
        description=(
            "Read new Amazon notification emails, sync Help Scout's Amazon conversations, "
            "match them, and send the [missing], [sla-warning], [sla-breached], [nrn-needed] "
            "and [digest] alerts that are due, in this process; print the counts. The worker "
            "runs the same pass every RECONCILE_INTERVAL_S. Exit status: 0 done, 1 a part of "
            "the pass failed (listed under errors), 2 usage or configuration error."
        ),
    )
    parser.add_argument(
        "--once", action="store_true", help="run one pass and exit (required: the only mode)"
    )
    parser.add_argument(
        "--now",
        type=iso_datetime,
        default=None,
        metavar="ISO8601",
        help="the pass's clock for SLA arithmetic, e.g. 2026-11-20T10:00:00Z (default: now)",
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.set_defaults(run=run_reconcile)


def run_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    """One reconciliation pass in-process; counts on standard output."""
    from sqlalchemy.exc import OperationalError

    from helpscout_app.observability.logging import configure_logging_for
    from helpscout_app.reconciliation.reconcile_pass import run_reconcile_pass
    from helpscout_app.store.database import create_engine_for, session_factory

    if not args.once:
        raise UsageError(
            "give --once: this command runs one pass (`amz-guard worker` runs it periodically)"
        )
    require_migrated_database(settings)
    configure_logging_for(settings)  # cron keeps these lines: JSON, secrets masked
    now = args.now or datetime.now(UTC)
    engine = create_engine_for(settings.database_url)
    try:
        with session_factory(engine)() as session:
            result = run_reconcile_pass(session, settings, now=now)
    except OperationalError as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        print(f"amz-guard reconcile: the pass failed: {reason}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()
    counts = result.to_dict()
    if args.json:
        print(json.dumps(counts, indent=2, default=str))
    else:
        for name, value in counts.items():
            print(f"{name}: {value}")
    for error in result.errors:
        print(f"amz-guard reconcile: {error}", file=sys.stderr)
    return EXIT_FAILED if result.errors else EXIT_OK


def iso_datetime(value: str) -> datetime:
    """An ISO 8601 time for argparse; without an offset it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time: {value!r} (e.g. 2026-11-20T10:00:00Z)"
        ) from err
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def require_migrated_database(settings: Settings) -> None:
    """Raise `UsageError` unless the database at DATABASE_URL is at the newest schema."""
    from helpscout_app.store.errors import DatabaseUnavailable
    from helpscout_app.store.migrate import is_at_head

    try:
        migrated = is_at_head(settings.database_url)
    except DatabaseUnavailable as err:
        raise UsageError(f"{err}; check DATABASE_URL") from err
    if not migrated:
        raise UsageError("the database is not at the newest schema; run `amz-guard db upgrade`")


# --- amz-guard helpscout -----------------------------------------------------------------------


def add_helpscout_command(commands: Any) -> None:
    """`amz-guard helpscout register-webhook --url URL`."""
    parser = commands.add_parser(
        "helpscout",
        help="set up amz-guard in Help Scout",
        description="Set up the Help Scout account at HELPSCOUT_API_URL for amz-guard.",
    )
    actions = parser.add_subparsers(dest="helpscout_action", required=True, metavar="ACTION")
    register = actions.add_parser(
        "register-webhook",
        help="subscribe amz-guard's webhook endpoint to the events it needs",
        description=(
            "Create a Help Scout webhook that sends the events amz-guard needs to URL (this "
            "server's /webhooks/helpscout), signed with HELPSCOUT_WEBHOOK_SECRET. Safe to run "
            "again: a webhook for URL that exists already is reported, not duplicated. Exit "
            "status: 0 registered (or already there), 1 one exists but is disabled or misses "
            "events, or Help Scout refused, 2 usage or configuration error."
        ),
    )
    register.add_argument(
        "--url",
        required=True,
        type=webhook_url,
        help="public URL of the endpoint, e.g. https://amz-guard.example.com/webhooks/helpscout",
    )
    register.set_defaults(run=run_register_webhook)


def run_register_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Create the webhook unless one for the URL exists; say which, and what is wrong with it."""
    from helpscout_app.helpscout.client import HelpScoutClient
    from helpscout_app.helpscout.errors import HelpScoutAPIError
    from helpscout_app.helpscout.webhook_subscription import same_url
    from helpscout_app.web.webhooks import HELPSCOUT_EVENTS

    if settings.helpscout_webhook_secret is None:
        raise ConfigurationError(
            "HELPSCOUT_WEBHOOK_SECRET: required to register the webhook; choose a random string "
            "of at most 40 characters and set it here and on every web process"
        )
    client = HelpScoutClient.from_settings(settings)
    try:
        existing = next(
            (hook for hook in client.list_webhooks() if same_url(hook.get("url"), args.url)), None
        )
        if existing is None:
            webhook_id = client.create_webhook(
                args.url, HELPSCOUT_EVENTS, settings.helpscout_webhook_secret, label="amz-guard"
            )
            print(
                f"registered webhook {webhook_id if webhook_id is not None else '(id unknown)'} "
                f"for {args.url}: {', '.join(HELPSCOUT_EVENTS)}"
            )
            return EXIT_OK
    except HelpScoutAPIError as err:
        print(f"amz-guard helpscout register-webhook: {err}", file=sys.stderr)
        return EXIT_FAILED
    return report_existing_webhook(existing, args.url, HELPSCOUT_EVENTS)


def report_existing_webhook(webhook: dict[str, Any], url: str, needed: Sequence[str]) -> int:
    """Say that a webhook for `url` exists, and whether it works for amz-guard; exit status."""
    from helpscout_app.helpscout.webhook_subscription import webhook_problems

    problems = webhook_problems(webhook, needed)
    print(f"a webhook for {url} exists already (id {webhook.get('id')}); not creating another")
    if not problems:
        return EXIT_OK
    print(
        f"but {'; '.join(problems)}: fix it under Manage > Apps > Webhooks in Help Scout, or "
        "delete it there and run this command again"
    )
    return EXIT_FAILED


def webhook_url(value: str) -> str:
    """An absolute http(s) URL for argparse (Help Scout calls it from the internet)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"not an http(s) URL with a host: {value!r} "
            "(e.g. https://amz-guard.example.com/webhooks/helpscout)"
        )
    return value


# --- amz-guard doctor --------------------------------------------------------------------------


def add_doctor_command(commands: Any) -> None:
    """`amz-guard doctor [--json] [--send-test] [--timeout SECONDS]`."""
    parser = commands.add_parser(
        "doctor",
        help="check every configured part and say what to fix",
        description=(
            "Check the settings, the database, Redis, Help Scout (token, mailboxes, webhook), "
            "Slack, the notification mailbox and SP-API, and print one line per check: ok, "
            "warn, FAIL or skip (not configured), with what to fix. Changes nothing; only "
            "--send-test posts to Slack. Exit status: 0 nothing failed, 1 something failed, "
            "2 usage error."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument("--send-test", action="store_true", help="post one test message to Slack")
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=None,
        metavar="SECONDS",
        help="how long each check may wait for its part (default 5)",
    )
    parser.set_defaults(run=run_doctor, run_unconfigured=run_doctor_unconfigured)


def run_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Run every check and print the report; 1 if any check failed."""
    from helpscout_app.doctor.checks import DEFAULT_TIMEOUT_S
    from helpscout_app.doctor.runner import run_checks

    results = run_checks(
        settings, send_test=args.send_test, timeout_s=args.timeout or DEFAULT_TIMEOUT_S
    )
    return print_doctor_report(results, as_json=args.json)


def run_doctor_unconfigured(args: argparse.Namespace, error: ConfigurationError) -> int:
    """The report when the settings cannot be loaded: that line first, the rest not checked."""
    from helpscout_app.doctor.runner import results_without_settings

    return print_doctor_report(results_without_settings(error), as_json=args.json)


def print_doctor_report(results: Sequence[CheckResult], *, as_json: bool) -> int:
    """Print the results as text or JSON; the exit status: 1 when any check failed."""
    from helpscout_app.doctor.report import has_failures, render_json, render_text

    sys.stdout.write(render_json(results) if as_json else render_text(results))
    return EXIT_FAILED if has_failures(results) else EXIT_OK


def positive_seconds(value: str) -> float:
    """A number of seconds above 0 for argparse."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= 300:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 0 to 300: {value!r}")
    return seconds


COMMANDS: tuple[Callable[[Any], None], ...] = (
    add_check_command,
    add_serve_command,
    add_worker_command,
    add_db_command,
    add_scan_drafts_command,
    add_reconcile_command,
    add_helpscout_command,
    add_doctor_command,
)
"""Every subcommand, in the order `amz-guard --help` lists them."""


if __name__ == "__main__":
    sys.exit(main())
