"""The manager dashboard at `/dashboard`: server-rendered, usable without JavaScript.

Protected by DASHBOARD_TOKEN (`?token=…` or `Authorization: Bearer …`) and/or HTTP basic auth
(DASHBOARD_USERNAME / DASHBOARD_PASSWORD); with none of them set it answers 503 rather than
showing the team's conversations to anyone. Countdowns are rendered by the server; a small
script only keeps them ticking, and the page refreshes itself every minute.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, current_app, render_template, request

from helpscout_app.settings import Settings
from helpscout_app.store.database import get_session
from helpscout_app.web.bearer import offered_bearer_token, token_matches
from helpscout_app.web.dashboard_report import build_report

log = logging.getLogger(__name__)

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

DEFAULT_DAYS = 14
MAX_DAYS = 90

CLOCK = "DASHBOARD_CLOCK"
"""`app.config` key of a function giving the current time (tests pin it)."""

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.get("/", strict_slashes=False)
def show_dashboard() -> Response:
    """The dashboard for the last `?days=` (1-90, default 14)."""
    settings: Settings = current_app.config["SETTINGS"]
    refusal = _refusal(settings)
    if refusal is not None:
        return refusal
    days = request.args.get("days", str(DEFAULT_DAYS))
    # isascii: "²" and other Unicode digits pass isdigit() and then break int().
    if not (days.isascii() and days.isdigit()) or not 1 <= int(days) <= MAX_DAYS:
        return Response(f"days must be a whole number from 1 to {MAX_DAYS}\n", 400)
    clock = current_app.config.get(CLOCK)
    now = clock() if clock else datetime.now(UTC)
    report = build_report(
        get_session(),
        now=now,
        days=int(days),
        missing_grace=timedelta(minutes=settings.missing_grace_minutes),
    )
    response = Response(
        render_template(
            "dashboard/dashboard.html",
            report=report,
            days=int(days),
            token=request.args.get("token") if _token_matches(settings) else None,
        )
    )
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _refusal(settings: Settings) -> Response | None:
    """None when the request may see the dashboard; else the 401 or 503 to answer."""
    if settings.dashboard_token is None and settings.dashboard_username is None:
        return Response(
            "The dashboard is off: set DASHBOARD_TOKEN, or DASHBOARD_USERNAME and "
            "DASHBOARD_PASSWORD.\n",
            503,
        )
    if _token_matches(settings) or _basic_auth_matches(settings):
        return None
    log.warning("dashboard refused to %s", request.remote_addr)
    response = Response("Sign in to see the dashboard.\n", 401)
    if settings.dashboard_username is not None:
        response.headers["WWW-Authenticate"] = 'Basic realm="amz-guard dashboard", charset="UTF-8"'
    return response


def _token_matches(settings: Settings) -> bool:
    offered = offered_bearer_token() or request.args.get("token", "")
    return token_matches(offered, settings.dashboard_token)


def _basic_auth_matches(settings: Settings) -> bool:
    if settings.dashboard_username is None or settings.dashboard_password is None:
        return False
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None or auth.password is None:
        return False
    user_ok = hmac.compare_digest(auth.username.encode(), settings.dashboard_username.encode())
    password = settings.dashboard_password.get_secret_value().encode()
    return hmac.compare_digest(auth.password.encode(), password) and user_ok
