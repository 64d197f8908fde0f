"""Help Scout sidebar: the legacy Dynamic App, the iframe app, and the actions their pages offer.

- `POST /sidebar/dynamic`: signed like a webhook (header over the raw body); answers
  `{"html": "..."}`.
- `GET /sidebar/app`: signed in its query string (reference/helpscout.md §3.b); serves the page
  for the iframe, the same content plus a "check this text" box.
- `POST /sidebar/check`, `/sidebar/nrn-done`, `/sidebar/request-review`: called from those pages
  with the session token they carry (`sidebar_session`), never with Help Scout's signature.

Everything shown is rendered by Jinja with autoescaping on, so names, subjects and bodies from
Help Scout or Amazon are text, never markup; links from Amazon are shown only when http(s).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, ServiceUnavailable

from helpscout_app.amazon.marketplaces import marketplace_by_id
from helpscout_app.amazon.orders import OrderLookup, OrderProblem, ReviewRequestState
from helpscout_app.compliance import check
from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.helpscout.errors import HelpScoutAPIError, InvalidSignature, MalformedPayload
from helpscout_app.helpscout.sidebar_payloads import (
    SidebarRequest,
    parse_app_request,
    parse_dynamic_request,
)
from helpscout_app.helpscout.signatures import signed_query_params, verify_webhook_signature
from helpscout_app.reconciliation.no_response_needed import NRN_DONE_TAG, record_nrn_done
from helpscout_app.settings import Settings
from helpscout_app.store.database import get_session
from helpscout_app.store.models import Conversation
from helpscout_app.web.sidebar_facts import SidebarFacts, gather_facts
from helpscout_app.web.sidebar_session import (
    HEADER,
    InvalidSession,
    SidebarSession,
    mint_session,
    read_session,
)
from workers.helpscout_token import helpscout_client
from workers.queues import APP_EXTENSION as REDIS_EXTENSION

log = logging.getLogger(__name__)

bp = Blueprint(
    "sidebar",
    __name__,
    url_prefix="/sidebar",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

MAX_BODY_BYTES = 256 * 1024
"""Largest sidebar request read: the Dynamic App's body is a few hundred bytes."""

MAX_CHECK_CHARS = 100_000
"""Largest draft the "check this text" box sends: a long reply is a few thousand characters."""

HELPSCOUT_TIMEOUT_S = 1.5
"""The sidebar reads the conversation from Help Scout within this, without retries: an agent
is waiting, and the widget renders without it."""

CLOCK = "SIDEBAR_CLOCK"
"""`app.config` key of a function giving the current time (tests pin it)."""

APP_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self' https://*.helpscout.net https://*.helpscout.com"
)
"""The iframe page loads only our own files; hostile text that escaped escaping still could
not run a script."""


def now() -> datetime:
    """The current time, from the app's clock when a test pinned one."""
    clock = current_app.config.get(CLOCK)
    return clock() if clock else datetime.now(UTC)


@bp.post("/dynamic")
def dynamic_app() -> dict[str, str]:
    """Legacy Dynamic App: verify, read the screen, answer the widget as `{"html": ...}`."""
    request.max_content_length = MAX_BODY_BYTES
    raw_body = request.get_data(cache=False)
    verify_webhook_signature(raw_body, request.headers, _sidebar_secret(_settings()))  # 401
    sidebar_request = parse_dynamic_request(raw_body)  # 400
    facts = _facts(sidebar_request)
    context = _widget_context(facts, external=True)
    return {"html": render_template("sidebar/widget.html", **context)}


@bp.get("/app")
def iframe_app() -> Response:
    """Iframe app: verify the query signature, serve the page with the "check this text" box."""
    # The request is read from exactly the parameters the signature covered (never request.args).
    signed = signed_query_params(request.query_string, _sidebar_secret(_settings()))  # 401
    facts = _facts(parse_app_request(signed))
    context = _widget_context(facts, external=False)
    response = Response(render_template("sidebar/app.html", **context))
    response.headers["Content-Security-Policy"] = APP_PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/check")
def check_text() -> tuple[dict[str, Any], int]:
    """The detector's report on a pasted draft: `{"text": ..., "html": false}` in, report out."""
    _session()  # 401 without a valid sidebar session
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise BadRequest('send JSON {"text": "...", "html": false}')
    text = body["text"]
    if len(text) > MAX_CHECK_CHARS:
        raise BadRequest(f"the text is over {MAX_CHECK_CHARS} characters")
    report = check(text, html=bool(body.get("html")))
    return report.to_dict(), 200


@bp.post("/nrn-done")
def mark_nrn_done() -> Response | tuple[Any, int]:
    """ "Marked in Seller Central": record "No response needed" and tag the conversation."""
    session_values = _session()
    conversation_id = session_values.conversation_id
    if conversation_id is None:
        raise BadRequest("this sidebar session names no conversation")
    if session_values.waiting_since is None:
        return _action_answer(
            409, "Nothing was waiting when this sidebar loaded: nothing to mark. Reload it."
        )
    store = get_session()
    changed = record_nrn_done(
        store,
        conversation_id,
        now=now(),
        marked_by=session_values.user_name,
        up_to=session_values.waiting_since,
    )
    row = store.get(Conversation, conversation_id)
    marked_before = (
        not changed
        and row is not None
        and row.nrn_marked_at is not None
        and row.nrn_marked_at >= session_values.waiting_since
    )  # a retry after Help Scout refused the tag: set the tag again
    store.commit()
    if not changed and not marked_before:
        return _action_answer(
            409,
            "The message this sidebar showed is no longer waiting (answered since?); nothing "
            "recorded. Reload the sidebar.",
        )
    try:
        _helpscout_client(_settings()).add_tags(conversation_id, [NRN_DONE_TAG])
    except (HelpScoutAPIError, ServiceUnavailable) as err:
        log.warning("nrn-done recorded, tag not set on %s: %s", conversation_id, err)
        return _action_answer(
            502,
            "Recorded in amz-guard, but Help Scout did not take the nrn-done tag; try again.",
        )
    if marked_before:
        return _action_answer(200, "Already recorded in amz-guard; conversation tagged nrn-done.")
    return _action_answer(
        200,
        'Recorded: "No response needed" marked in Seller Central; conversation tagged nrn-done.',
    )


@bp.post("/request-review")
def request_review() -> Response | tuple[Any, int]:
    """Send Amazon's "Request a Review" for an order the page showed, once, inside its window."""
    session_values = _session()
    order_id = (request.form.get("order_id") or _json_field("order_id") or "").strip()
    if order_id not in session_values.order_ids:
        return _action_answer(403, "This sidebar did not show that order; reload it.")
    lookup = _order_lookup()
    cached = lookup.cached_order(order_id)
    # The order's own marketplace while it is cached, else the one the page showed: without
    # either, SP-API would be asked in the US marketplace and say the order is unknown.
    marketplace = marketplace_by_id(
        (cached.marketplace_id if cached else None) or session_values.marketplace_id or ""
    )
    result = lookup.request_review(order_id, marketplace)
    if isinstance(result, OrderProblem):
        return _action_answer(502, result.hint)
    if result is ReviewRequestState.REQUESTED:
        return _action_answer(200, f"Amazon's review request is sent for order {order_id}.")
    return _action_answer(409, f"Amazon does not offer a review request for order {order_id} now.")


# --- building blocks ---------------------------------------------------------------------------


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _sidebar_secret(settings: Settings) -> Any:
    """The sidebar secret; 503 while it is unset (the check is never skipped)."""
    if settings.helpscout_sidebar_secret is None:
        log.error("HELPSCOUT_SIDEBAR_SECRET is not set: sidebar requests are refused")
        raise ServiceUnavailable("HELPSCOUT_SIDEBAR_SECRET is not set on this server")
    return settings.helpscout_sidebar_secret


def _session() -> SidebarSession:
    """The request's sidebar session (header, form field `session` or JSON); 401 otherwise."""
    settings = _settings()
    token = request.headers.get(HEADER) or request.form.get("session") or _json_field("session")
    return read_session(_sidebar_secret(settings), token, max_age_s=settings.sidebar_session_ttl_s)


def _json_field(name: str) -> str | None:
    body = request.get_json(silent=True) if request.is_json else None
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _order_lookup() -> OrderLookup:
    return OrderLookup.from_settings(_settings(), current_app.extensions[REDIS_EXTENSION])


HELPSCOUT_CLIENTS = "amz_guard_sidebar_helpscout"
"""`app.extensions` key of the app's per-thread Help Scout clients."""


def _helpscout_client(settings: Settings) -> HelpScoutClient:
    """This thread's Help Scout client for the app (it keeps the token between requests and is
    not thread-safe). Raises ServiceUnavailable when the app has no Help Scout credentials."""
    local = current_app.extensions.setdefault(HELPSCOUT_CLIENTS, threading.local())
    client: HelpScoutClient | None = getattr(local, "client", None)
    if client is None:
        if settings.helpscout_app_id is None or settings.helpscout_app_secret is None:
            raise ServiceUnavailable("HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET are not set")
        client = helpscout_client(
            settings,
            current_app.extensions[REDIS_EXTENSION],
            timeout_s=HELPSCOUT_TIMEOUT_S,
            max_retries=0,
            max_rate_limit_waits=0,
        )
        local.client = client
    return client


def _facts(sidebar_request: SidebarRequest) -> SidebarFacts:
    settings = _settings()
    try:
        helpscout: HelpScoutClient | None = _helpscout_client(settings)
    except ServiceUnavailable:
        helpscout = None
    return gather_facts(
        sidebar_request,
        session=get_session(),
        redis_conn=current_app.extensions[REDIS_EXTENSION],
        helpscout=helpscout,
        orders=_order_lookup(),
        amazon_mailbox_ids=settings.amazon_mailbox_ids,
        refund_template=settings.refund_template,
        now=now(),
    )


def _widget_context(facts: SidebarFacts, *, external: bool) -> dict[str, Any]:
    """The template's values: the facts, a session token and the URLs of the page's actions."""
    settings = _settings()
    token = mint_session(
        _sidebar_secret(settings),
        SidebarSession(
            conversation_id=facts.request.conversation_id,
            user_id=facts.request.user_id,
            user_name=facts.request.user_name,
            order_ids=facts.order_ids,
            waiting_since=facts.clock.waiting_since if facts.clock else None,
            marketplace_id=facts.marketplace.marketplace_id if facts.marketplace else None,
        ),
    )
    return {"facts": facts, "session_token": token, "action_urls": _action_urls(external)}


def _action_urls(external: bool) -> dict[str, str]:
    """Where the widget's buttons post.

    The iframe page is ours, so its posts are same-origin paths: whatever scheme and host the
    browser used also works for them (an absolute http:// URL behind a TLS proxy is mixed
    content, and the button silently did nothing). The Dynamic App's HTML sits inside Help
    Scout's page and needs absolute URLs: PUBLIC_URL when set, else the request's own address.
    """
    paths = {name: url_for(f"sidebar.{name}") for name in ("mark_nrn_done", "request_review")}
    if not external:
        return paths
    public_url = _settings().public_url
    if public_url is None:
        return {name: url_for(f"sidebar.{name}", _external=True) for name in paths}
    root = request.script_root
    return {name: public_url + path.removeprefix(root) for name, path in paths.items()}


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _action_answer(status: int, message: str) -> Response | tuple[Any, int]:
    """JSON for the iframe's scripts, a small page for a plain form post."""
    if _wants_json():
        return jsonify({"ok": status < 300, "message": message}), status
    return Response(
        render_template("sidebar/action_done.html", message=message, ok=status < 300),
        status=status,
    )


# Status contract (both sidebar kinds and the actions):
#   200  the widget (`{"html"}`), the page, the check's report, an action done
#   400  unreadable body or parameters, with the reason
#   401  Help Scout's signature missing or wrong; sidebar session missing, forged or expired
#   403  an action on an order the page did not show
#   409  "Request a Review" not offered by Amazon now; "marked in Seller Central" when the
#        message the page showed waiting is not waiting any more (or none was)
#   413  body over MAX_BODY_BYTES
#   502  Amazon or Help Scout refused an action or did not answer
#   503  HELPSCOUT_SIDEBAR_SECRET unset


@bp.errorhandler(InvalidSignature)
@bp.errorhandler(InvalidSession)
def _refuse(error: Exception) -> tuple[dict[str, str], int]:
    log.warning("sidebar request refused from %s: %s", request.remote_addr, error)
    return {"error": str(error)}, 401


@bp.errorhandler(MalformedPayload)
@bp.errorhandler(BadRequest)
def _bad_request(error: Exception) -> tuple[dict[str, str], int]:
    reason = error.description if isinstance(error, BadRequest) else str(error)
    return {"error": reason or "bad request"}, 400


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[dict[str, str], int]:
    return {"error": f"the body is over {MAX_BODY_BYTES} bytes"}, 413


@bp.errorhandler(ServiceUnavailable)
def _unavailable(error: ServiceUnavailable) -> tuple[dict[str, str], int]:
    return {"error": error.description or "unavailable"}, 503
