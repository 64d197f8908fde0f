"""Running doctor's checks: the network ones at once, each under its own timeout, printed in
the fixed order of `Part`; a check that crashes is a failed line, never a traceback."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from helpscout_app.doctor.checks import (
    DEFAULT_TIMEOUT_S,
    CheckResult,
    Part,
    Status,
    check_database,
    check_helpscout,
    check_notifications,
    check_redis,
    check_settings,
    check_slack,
    check_sp_api,
    settings_failure,
)
from helpscout_app.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

Probe = Callable[[], list[CheckResult]]


def run_checks(
    settings: Settings,
    *,
    send_test: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    now: datetime | None = None,
    helpscout_session: requests.Session | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> list[CheckResult]:
    """Every check, one result per `Part`, in `Part`'s order.

    The probes run in threads at once (each opens its own connections), so the whole run takes
    about as long as the slowest part, a few seconds at worst.
    """
    now = now or datetime.now(UTC)
    probes: list[tuple[tuple[Part, ...], Probe]] = [
        ((Part.DATABASE,), lambda: [check_database(settings.database_url, timeout_s=timeout_s)]),
        ((Part.REDIS,), lambda: [check_redis(settings.redis_url, timeout_s=timeout_s)]),
        (
            (Part.HELPSCOUT, Part.WEBHOOK),
            lambda: check_helpscout(settings, session=helpscout_session, timeout_s=timeout_s),
        ),
        (
            (Part.SLACK,),
            lambda: [check_slack(settings, send_test=send_test, now=now, timeout_s=timeout_s)],
        ),
        (
            (Part.NOTIFICATIONS,),
            lambda: [
                check_notifications(
                    settings.amazon_notifications_url,
                    now=now,
                    timeout_s=timeout_s,
                    ssl_context=ssl_context,
                )
            ],
        ),
        ((Part.SP_API,), lambda: [check_sp_api(settings, timeout_s=timeout_s)]),
    ]
    with ThreadPoolExecutor(max_workers=len(probes), thread_name_prefix="doctor") as pool:
        futures = [pool.submit(_guarded, parts, probe) for parts, probe in probes]
        results = [check_settings(settings)]
        for future in futures:
            results.extend(future.result())
    return scrubbed(results, [v for v in settings.secret_values() if len(v) >= 4])


def results_without_settings(error: ConfigurationError) -> list[CheckResult]:
    """The report when the settings cannot be loaded: that failure, and nothing else checked."""
    return [settings_failure(error)] + [
        CheckResult(part, Status.SKIP, "not checked: fix the settings first")
        for part in Part
        if part is not Part.SETTINGS
    ]


def scrubbed(results: list[CheckResult], secrets: list[str]) -> list[CheckResult]:
    """`results` with any secret value that slipped into a line replaced by `***`.

    A last line of defence: every check already words its lines without secrets.
    """
    cleaned = []
    for result in results:
        summary, fix = result.summary, result.fix
        for secret in sorted(secrets, key=len, reverse=True):
            summary, fix = summary.replace(secret, "***"), fix.replace(secret, "***")
        cleaned.append(replace(result, summary=summary, fix=fix))
    return cleaned


def _guarded(parts: tuple[Part, ...], probe: Probe) -> list[CheckResult]:
    """Run `probe`; if it raises, a failed line for each of its parts instead.

    Every error a check expects is handled inside it; what reaches here is a bug or a failure
    nobody foresaw, and doctor must still print the other parts' lines.
    """
    try:
        return probe()
    except Exception as err:
        log.warning("doctor check of %s crashed", ", ".join(parts), exc_info=True)
        return [
            CheckResult(
                part,
                Status.FAIL,
                f"the check itself failed ({type(err).__name__})",
                "report this as an amz-guard bug, with the output of `amz-guard doctor`",
            )
            for part in parts
        ]
