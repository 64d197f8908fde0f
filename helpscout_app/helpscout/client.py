"""Help Scout Mailbox API 2.0 client over requests: OAuth2 client credentials, retries, HAL pages.

Facts it rests on (reference/helpscout.md §2):
- Token: `POST {base}/oauth2/token`, client credentials, form-encoded (§2.1: JSON is reported to
  fail by one client, form is accepted by all); lives 48 h, no refresh token: ask again.
- 401 on a call: the token was revoked or expired early; fetch a new one once and retry.
- 429: wait `X-RateLimit-Retry-After` seconds (§2.2). The limit is account-wide and writes count
  twice, so the client waits a bounded time, then raises `RateLimited` for the job to retry.
- 5xx and connection failures: retried with exponential backoff for idempotent calls (GET, PUT,
  PATCH, DELETE). A POST (note, webhook) is repeated only when it surely never arrived (connect
  timeout, 429, refused token): repeating it otherwise could post the same note twice.
- Lists are HAL: items under `_embedded.<name>`, `page.totalPages`, `_links.next` (§2.3); pages
  are requested as `?page=N` with the same filters, never by following a link elsewhere.

Tokens and request or response bodies are never logged; errors carry Help Scout's message and
log reference, not the values it echoes back.

One client per process or job: it keeps the token and the counters, and is not thread-safe.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import orjson
import requests
from pydantic import SecretStr

from helpscout_app.helpscout.errors import HelpScoutAPIError, RateLimited
from helpscout_app.observability import metrics
from helpscout_app.settings import HELPSCOUT_SECRET_MAX_LENGTH, ConfigurationError

if TYPE_CHECKING:
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth2/token"
TOKEN_REFRESH_MARGIN_S = 300.0
"""A token is replaced this long before Help Scout says it expires (at most half its life)."""

RETRY_AFTER_HEADER = "X-RateLimit-Retry-After"
DEFAULT_RETRY_AFTER_S = 60.0
"""Wait used when a 429 carries no readable retry header: the limit is per minute."""

CONVERSATION_STATUSES = frozenset({"active", "all", "closed", "open", "pending", "spam"})
"""Values the `status` filter of List Conversations accepts (reference §2.5)."""

WEBHOOK_PAYLOAD_VERSION = "V2"
"""The only payload version Help Scout still accepts (reference §1.1)."""

_IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "PATCH", "DELETE"})
_USER_AGENT = "amz-guard (Help Scout Mailbox API client)"


class TokenStore(Protocol):
    """Somewhere a token outlives the client that fetched it.

    Each RQ job builds its own client in a fresh work horse, and a Help Scout token lasts two
    days: without a store shared by the processes, every job asked Help Scout for a new one (one
    more request per job, and thousands of live tokens a day).
    """

    def load(self) -> tuple[str, float] | None:
        """A stored token and the seconds it is still good for; None when there is none."""
        ...

    def save(self, token: str, good_for_s: float) -> None:
        """Keep `token` for `good_for_s` seconds."""
        ...

    def forget(self, token: str) -> None:
        """Drop `token` if it is the one stored (Help Scout refused it)."""
        ...


class HelpScoutClient:
    """The Mailbox API calls amz-guard needs, with the token, retries and counters handled.

    Counters (read them for metrics): `api_calls` (HTTP requests sent, token requests and
    retries included), `token_requests`, `retries` (5xx or connection failures retried),
    `rate_limit_waits` and `rate_limit_wait_s` (429s waited out, and for how long in total).

    Every call raises `HelpScoutAPIError` (status, method, URL, Help Scout's error body) when
    Help Scout refuses it or cannot be reached after the retries, and `RateLimited` (a subclass)
    when it is still rate-limited after the waits.
    """

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str | SecretStr,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        *,
        timeout_s: float = 30.0,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        max_rate_limit_waits: int = 2,
        max_rate_limit_wait_s: float = 60.0,
        token_store: TokenStore | None = None,
    ) -> None:
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
        secret = app_secret.get_secret_value() if isinstance(app_secret, SecretStr) else app_secret
        if not (app_id or "").strip():
            raise ValueError("app_id is empty (HELPSCOUT_APP_ID)")
        if not (secret or "").strip():
            raise ValueError("app_secret is empty (HELPSCOUT_APP_SECRET)")
        if max_retries < 0 or max_rate_limit_waits < 0:
            raise ValueError("max_retries and max_rate_limit_waits must be 0 or more")

        self.base_url = base_url.rstrip("/")
        self._app_id = app_id
        self._app_secret = SecretStr(secret)
        self._session = session if session is not None else requests.Session()
        self._clock = clock
        self._sleep = sleep
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._max_rate_limit_waits = max_rate_limit_waits
        self._max_rate_limit_wait_s = max_rate_limit_wait_s

        self._token: SecretStr | None = None
        self._token_renew_at = 0.0
        self._token_store = token_store

        self.api_calls = 0
        self.token_requests = 0
        self.retries = 0
        self.rate_limit_waits = 0
        self.rate_limit_wait_s = 0.0

    @classmethod
    def from_settings(
        cls, settings: Settings, session: requests.Session | None = None, **options: Any
    ) -> HelpScoutClient:
        """A client for `HELPSCOUT_API_URL` with the app's credentials; `options` go to __init__.

        Raises `ConfigurationError` naming HELPSCOUT_APP_ID / HELPSCOUT_APP_SECRET when unset.
        """
        app_id, app_secret = settings.helpscout_app_id, settings.helpscout_app_secret
        if app_id is None or app_secret is None:
            missing = [
                name
                for name, value in (
                    ("HELPSCOUT_APP_ID", app_id),
                    ("HELPSCOUT_APP_SECRET", app_secret),
                )
                if value is None
            ]
            raise ConfigurationError(
                f"{' and '.join(missing)}: required to call the Help Scout API; create an app "
                "under Your Profile > My Apps in Help Scout and set its ID and secret"
            )
        return cls(settings.helpscout_api_url, app_id, app_secret, session=session, **options)

    # --- conversations and threads ------------------------------------------------------------

    def get_conversation(self, conversation_id: int, embed_threads: bool = True) -> dict[str, Any]:
        """The v2 Conversation, with its threads under `_embedded.threads` unless asked not to."""
        params = {"embed": "threads"} if embed_threads else None
        return self._get_json(f"/conversations/{_id(conversation_id)}", params=params)

    def list_threads(self, conversation_id: int) -> Iterator[dict[str, Any]]:
        """Every thread of a conversation (drafts and scheduled replies included), newest first."""
        return self._paginate(f"/conversations/{_id(conversation_id)}/threads", "threads", {})

    def list_conversations(
        self,
        *,
        mailbox: int | Iterable[int] | None = None,
        status: str = "active",
        modified_since: datetime | None = None,
        query: str | None = None,
        tag: str | None = None,
        embed_threads: bool = False,
        sort_field: str | None = None,
        sort_order: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Conversations matching every filter given, across all pages (25 a page).

        `status` is one of CONVERSATION_STATUSES ("active" is Help Scout's default, "all" for
        everything); `modified_since` must be timezone-aware.
        """
        params = _conversation_filters(
            mailbox, status, modified_since, query, tag, embed_threads, sort_field, sort_order
        )
        return self._paginate("/conversations", "conversations", params)

    def conversations_page(
        self,
        page: int,
        *,
        mailbox: int | Iterable[int] | None = None,
        status: str = "active",
        modified_since: datetime | None = None,
        embed_threads: bool = False,
        sort_field: str | None = None,
        sort_order: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of `list_conversations` (filters as there): its items and the page count,
        for a caller that moves its own filters between pages."""
        params = _conversation_filters(
            mailbox, status, modified_since, None, None, embed_threads, sort_field, sort_order
        )
        body = self._get_json("/conversations", params={**params, "page": page})
        items, total_pages = _page_items(body, "conversations")
        return items, total_pages if total_pages is not None else page + int(_has_next(body))

    def create_note(
        self,
        conversation_id: int,
        text: str,
        *,
        user_id: int | None = None,
        status: str | None = None,
    ) -> int | None:
        """Add a private note; returns its thread id (`Resource-ID`), None if Help Scout omits it.

        Help Scout sends `convo.note.created` for it to our own webhook: the handler filters
        amz-guard's notes out (reference §2.7).
        """
        if not text.strip():
            raise ValueError("a note needs text")
        body: dict[str, Any] = {"text": text}
        if user_id is not None:
            body["user"] = _id(user_id)
        if status is not None:
            body["status"] = status
        response = self._request("POST", f"/conversations/{_id(conversation_id)}/notes", json=body)
        return _resource_id(response)

    def get_tags(self, conversation_id: int) -> list[str]:
        """The conversation's tag names, in Help Scout's order."""
        conversation = self.get_conversation(conversation_id, embed_threads=False)
        tags = conversation.get("tags") or []
        return [tag["tag"] for tag in tags if isinstance(tag, Mapping) and tag.get("tag")]

    def set_tags(self, conversation_id: int, tags: Iterable[str]) -> None:
        """Replace the conversation's tags with exactly `tags` (the endpoint replaces the list)."""
        self._request(
            "PUT", f"/conversations/{_id(conversation_id)}/tags", json={"tags": list(tags)}
        )

    def add_tags(self, conversation_id: int, tags: Iterable[str]) -> list[str]:
        """Add tags, keeping the ones already there; returns the conversation's tags after.

        Reads, merges (case-insensitively, existing spelling kept) and writes the union, since the
        tags endpoint replaces the whole list (reference §2.12). Writes nothing when every tag is
        already there. A tag changed by someone else between the read and the write is lost:
        Help Scout offers no atomic add.
        """
        new_tags = [tag.strip() for tag in tags]
        if not all(new_tags):
            raise ValueError("tags must not be empty")
        current = self.get_tags(conversation_id)
        merged = list(current)
        seen = {tag.casefold() for tag in current}
        for tag in new_tags:
            if tag.casefold() not in seen:
                merged.append(tag)
                seen.add(tag.casefold())
        if len(merged) > len(current):
            self.set_tags(conversation_id, merged)
        return merged

    def cancel_schedule(self, conversation_id: int, thread_id: int) -> None:
        """Cancel a Send Later reply: Help Scout turns it back into a draft that is not sent.

        `DELETE …/threads/{id}/schedule` → 204 (reference §2.10). A thread that is no longer
        scheduled (sent, or cancelled already) is answered with an error whose status the caller
        can inspect; what Help Scout answers then is UNCONFIRMED.
        """
        self._request(
            "DELETE", f"/conversations/{_id(conversation_id)}/threads/{_id(thread_id)}/schedule"
        )

    def update_thread_text(self, conversation_id: int, thread_id: int, text: str) -> None:
        """Replace a thread's text (JSON Patch on `/text`; Help Scout keeps the original viewable).

        Needs an administrator or thread editing enabled on the account (reference §2.9). It does
        not recall an email already sent; whether it works on drafts is UNCONFIRMED.
        """
        self._request(
            "PATCH",
            f"/conversations/{_id(conversation_id)}/threads/{_id(thread_id)}",
            json={"op": "replace", "path": "/text", "value": text},
        )

    # --- mailboxes ------------------------------------------------------------------------------

    def list_mailboxes(self) -> Iterator[dict[str, Any]]:
        """Every mailbox the app's user can see (`id`, `name`, `slug`, `email`): List Mailboxes."""
        return self._paginate("/mailboxes", "mailboxes", {})

    # --- webhooks -------------------------------------------------------------------------------

    def list_webhooks(self) -> Iterator[dict[str, Any]]:
        """Every webhook of the account (`id`, `url`, `state` enabled|disabled, `events`)."""
        return self._paginate("/webhooks", "webhooks", {})

    def create_webhook(
        self,
        url: str,
        events: Iterable[str],
        secret: str | SecretStr,
        *,
        mailbox_ids: Iterable[int] | None = None,
        label: str | None = None,
    ) -> int | None:
        """Register a webhook sending full V2 payloads; returns its id (`Resource-ID`)."""
        secret_value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if not secret_value.strip():
            raise ValueError("a webhook needs a secret (HELPSCOUT_WEBHOOK_SECRET)")
        if len(secret_value) > HELPSCOUT_SECRET_MAX_LENGTH:
            raise ValueError(
                f"Help Scout accepts webhook secrets of at most {HELPSCOUT_SECRET_MAX_LENGTH} "
                "characters"
            )
        event_names = list(events)
        if not event_names:
            raise ValueError("a webhook needs at least one event")
        body: dict[str, Any] = {
            "url": url,
            "events": event_names,
            "secret": secret_value,
            "payloadVersion": WEBHOOK_PAYLOAD_VERSION,
            "notification": False,  # full payloads: the thread body travels with the event
        }
        if mailbox_ids is not None:
            body["mailboxIds"] = [_id(mailbox_id) for mailbox_id in mailbox_ids]
        if label is not None:
            body["label"] = label
        return _resource_id(self._request("POST", "/webhooks", json=body))

    # --- HTTP -----------------------------------------------------------------------------------

    def _get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET `path` and return its JSON object."""
        response = self._request("GET", path, params=params)
        try:
            # orjson: a page of 25 conversations with their threads is ~100 KB of JSON, and the
            # standard library's decoder was a tenth of a reconciliation pass.
            body = orjson.loads(response.content)
        except ValueError as err:  # orjson.JSONDecodeError is one
            raise HelpScoutAPIError(
                f"Help Scout sent a response that is not JSON to GET {response.url}",
                method="GET",
                url=response.url,
                status=response.status_code,
            ) from err
        if not isinstance(body, dict):
            raise HelpScoutAPIError(
                f"Help Scout sent a JSON {type(body).__name__}, not an object, to GET "
                f"{response.url}",
                method="GET",
                url=response.url,
                status=response.status_code,
            )
        return body

    def _paginate(
        self, path: str, collection: str, params: Mapping[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """The items of a HAL list, page after page, fetched as the caller iterates."""
        page = 1
        while True:
            body = self._get_json(path, params={**params, "page": page})
            items, total_pages = _page_items(body, collection)
            yield from items
            more = page < total_pages if total_pages is not None else _has_next(body)
            if not more or not items:  # an empty page ends it too, whatever the page count says
                return
            page += 1

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> requests.Response:
        """Send an authenticated request; return the 2xx response or raise HelpScoutAPIError."""
        url = f"{self.base_url}{path}"
        token_refreshed = False
        while True:
            token = self._access_token()
            response = self._send(
                method,
                url,
                safe_to_repeat=method in _IDEMPOTENT_METHODS,
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {token.get_secret_value()}"},
            )
            if response.status_code == 401 and not token_refreshed:
                # Revoked or expired early; a refused request did nothing, so repeating is safe.
                log.info("Help Scout refused the token for %s %s; fetching a new one", method, path)
                if self._token_store is not None:
                    self._token_store.forget(token.get_secret_value())
                self._token = None
                token_refreshed = True
                continue
            if not 200 <= response.status_code < 300:
                raise _api_error(method, response)
            return response

    def _access_token(self) -> SecretStr:
        """The cached token, else the store's, fetched again when missing or close to expiry."""
        if self._token is None or self._clock() >= self._token_renew_at:
            stored = self._token_store.load() if self._token_store is not None else None
            if stored is not None and stored[1] > 0:
                self._token, self._token_renew_at = SecretStr(stored[0]), self._clock() + stored[1]
            else:
                self._fetch_token()
        assert self._token is not None
        return self._token

    def _fetch_token(self) -> None:
        """Client-credentials grant (reference §2.1); raises HelpScoutAPIError if refused."""
        url = f"{self.base_url}{TOKEN_PATH}"
        requested_at = self._clock()
        self.token_requests += 1
        response = self._send(
            "POST",
            url,
            safe_to_repeat=True,  # asking for a token twice does no harm
            data={
                "grant_type": "client_credentials",
                "client_id": self._app_id,
                "client_secret": self._app_secret.get_secret_value(),
            },
        )
        if response.status_code != 200:
            raise HelpScoutAPIError(
                f"Help Scout refused the app credentials with {response.status_code} at {url}; "
                "check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET "
                f"({_describe_error_body(response) or 'no error message'})",
                method="POST",
                url=url,
                status=response.status_code,
                error_body=_error_body(response),
            )
        try:
            body = response.json()
            access_token = body["access_token"]
            lifetime_s = float(body["expires_in"])
        except (ValueError, KeyError, TypeError) as err:
            raise HelpScoutAPIError(
                f"Help Scout's token response at {url} has no access_token and expires_in",
                method="POST",
                url=url,
                status=response.status_code,
            ) from err
        if not isinstance(access_token, str) or not access_token or lifetime_s <= 0:
            raise HelpScoutAPIError(
                f"Help Scout's token response at {url} has an empty token or lifetime",
                method="POST",
                url=url,
                status=response.status_code,
            )
        self._token = SecretStr(access_token)
        margin_s = min(TOKEN_REFRESH_MARGIN_S, lifetime_s / 2)
        self._token_renew_at = requested_at + lifetime_s - margin_s
        if self._token_store is not None:
            self._token_store.save(access_token, self._token_renew_at - self._clock())

    def _send(
        self, method: str, url: str, *, safe_to_repeat: bool, **kwargs: Any
    ) -> requests.Response:
        """Send once, waiting out 429s and retrying failures as the module docstring says.

        Returns any response below 500 other than 429; raises for the rest once out of tries.
        """
        failures = 0
        waits = 0
        while True:
            self.api_calls += 1
            response: requests.Response | None = None
            failure: requests.RequestException | None = None
            try:
                response = self._session.request(method, url, timeout=self._timeout_s, **kwargs)
            except requests.ConnectTimeout as err:  # before ConnectionError: it is both
                failure, retryable = err, True  # never reached Help Scout
            except (requests.ConnectionError, requests.Timeout) as err:
                failure, retryable = err, safe_to_repeat
            metrics.count_helpscout_call(method, urlsplit(url).path, _status(response))
            if response is not None:
                log.debug(
                    "Help Scout %s %s -> %s", method, urlsplit(url).path, response.status_code
                )
                if response.status_code == 429:
                    wait_s = _retry_after_s(response)
                    if waits >= self._max_rate_limit_waits or wait_s > self._max_rate_limit_wait_s:
                        raise RateLimited(
                            f"Help Scout is rate-limiting {method} {response.url}: retry in "
                            f"{wait_s:g} s (waited {waits} times already)",
                            method=method,
                            url=response.url,
                            retry_after_s=wait_s,
                        )
                    waits += 1
                    self.rate_limit_waits += 1
                    self.rate_limit_wait_s += wait_s
                    metrics.count_rate_limit_wait(wait_s)
                    log.info("Help Scout rate limit reached; waiting %g s", wait_s)
                    self._sleep(wait_s)
                    continue
                if response.status_code < 500:
                    return response
                retryable = safe_to_repeat

            if not retryable or failures >= self._max_retries:
                raise _failure_error(
                    method,
                    url,
                    kwargs.get("params"),
                    response,
                    failure,
                    attempts=failures + 1,
                    retried=retryable,
                )
            delay_s = self._backoff_s * 2**failures
            failures += 1
            self.retries += 1
            reason = response.status_code if response is not None else type(failure).__name__
            log.info(
                "Help Scout %s %s failed (%s); retry %d in %g s",
                method,
                urlsplit(url).path,
                reason,
                failures,
                delay_s,
            )
            self._sleep(delay_s)


def _status(response: requests.Response | None) -> int | None:
    return response.status_code if response is not None else None


def _conversation_filters(
    mailbox: int | Iterable[int] | None,
    status: str,
    modified_since: datetime | None,
    query: str | None,
    tag: str | None,
    embed_threads: bool,
    sort_field: str | None,
    sort_order: str | None,
) -> dict[str, str]:
    """List Conversations' query parameters (reference §2.5)."""
    if status not in CONVERSATION_STATUSES:
        raise ValueError(
            f"status must be one of {', '.join(sorted(CONVERSATION_STATUSES))}, got {status!r}"
        )
    params: dict[str, str] = {"status": status}
    if mailbox is not None:
        mailbox_ids = [mailbox] if isinstance(mailbox, int) else list(mailbox)
        params["mailbox"] = ",".join(str(_id(mailbox_id)) for mailbox_id in mailbox_ids)
    if modified_since is not None:
        params["modifiedSince"] = _utc_timestamp(modified_since)
    if query is not None:
        params["query"] = query
    if tag is not None:
        params["tag"] = tag
    if embed_threads:
        params["embed"] = "threads"
    if sort_field is not None:
        params["sortField"] = sort_field
    if sort_order is not None:
        params["sortOrder"] = sort_order
    return params


def _page_items(
    body: Mapping[str, Any], collection: str
) -> tuple[list[dict[str, Any]], int | None]:
    """A HAL page's items (an empty list omits `_embedded`) and its page count, when given."""
    embedded = body.get("_embedded")
    items = embedded.get(collection) if isinstance(embedded, Mapping) else None
    page_info = body.get("page")
    total_pages = page_info.get("totalPages") if isinstance(page_info, Mapping) else None
    return (
        items if isinstance(items, list) else [],
        total_pages if isinstance(total_pages, int) else None,
    )


def _has_next(body: Mapping[str, Any]) -> bool:
    links = body.get("_links")
    return isinstance(links, Mapping) and "next" in links


def _id(value: int) -> int:
    """A Help Scout id as a positive int, so a stray string never lands in a URL path."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"a Help Scout id is a positive integer, got {value!r}")
    return value


def _utc_timestamp(moment: datetime) -> str:
    """`2018-05-04T12:00:03Z`, the form Help Scout's filters take; naive datetimes refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("modified_since must be timezone-aware (UTC), got a naive datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _retry_after_s(response: requests.Response) -> float:
    """Seconds Help Scout asks us to wait after a 429; the default when unreadable."""
    raw = response.headers.get(RETRY_AFTER_HEADER) or response.headers.get("Retry-After")
    try:
        wait_s = float(raw) if raw is not None else DEFAULT_RETRY_AFTER_S
    except ValueError:
        return DEFAULT_RETRY_AFTER_S
    return wait_s if 0 <= wait_s < float("inf") else DEFAULT_RETRY_AFTER_S


def _resource_id(response: requests.Response) -> int | None:
    """The id of a created resource, from the `Resource-ID` header (reference §2.4)."""
    raw = response.headers.get("Resource-ID", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _error_body(response: requests.Response) -> Any:
    """Help Scout's error document, parsed; the raw text (cut short) when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return response.text[:2000] or None


def _describe_error_body(response: requests.Response) -> str:
    """Help Scout's `message`, `logRef` and field errors, without the values it echoes back."""
    body = _error_body(response)
    if not isinstance(body, Mapping):
        return ""
    parts = []
    if isinstance(body.get("message"), str):
        parts.append(body["message"])
    if isinstance(body.get("error_description"), str):  # OAuth errors use RFC 6749's fields
        parts.append(body["error_description"])
    embedded = body.get("_embedded")
    errors = embedded.get("errors") if isinstance(embedded, Mapping) else None
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, Mapping):
            parts.append(f"{error.get('path', '?')}: {error.get('message', '?')}")
    if isinstance(body.get("logRef"), str):
        parts.append(f"logRef {body['logRef']}")
    return "; ".join(parts)


def _api_error(method: str, response: requests.Response) -> HelpScoutAPIError:
    """The error for a 4xx answer."""
    details = _describe_error_body(response)
    return HelpScoutAPIError(
        f"Help Scout answered {response.status_code} to {method} {response.url}"
        + (f": {details}" if details else ""),
        method=method,
        url=response.url,
        status=response.status_code,
        error_body=_error_body(response),
    )


def _failure_error(
    method: str,
    url: str,
    params: Mapping[str, Any] | None,
    response: requests.Response | None,
    failure: requests.RequestException | None,
    *,
    attempts: int,
    retried: bool,
) -> HelpScoutAPIError:
    """The error for a 5xx or a connection failure we stop retrying."""
    full_url = response.url if response is not None else _with_params(url, params)
    if response is not None:
        details = _describe_error_body(response)
        what = f"Help Scout answered {response.status_code} to {method} {full_url}"
        what += f": {details}" if details else ""
    else:
        what = f"could not reach Help Scout for {method} {full_url} ({type(failure).__name__})"
    if attempts > 1:
        what += f", after {attempts} attempts"
    if not retried:
        what += "; not repeated, since it may have been applied: check before sending it again"
    return HelpScoutAPIError(
        what,
        method=method,
        url=full_url,
        status=response.status_code if response is not None else None,
        error_body=_error_body(response) if response is not None else None,
    )


def _with_params(url: str, params: Mapping[str, Any] | None) -> str:
    """`url` with its query string, as requests would send it."""
    prepared = requests.Request("GET", url, params=params).prepare()
    return prepared.url or url
