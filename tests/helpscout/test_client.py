"""Help Scout API client: exact requests, token reuse and renewal, 429 waits, retries, pages.

HTTP is replaced only at the boundary, with `responses`; bodies come from the fixture files.
Time is a fake clock whose `sleep` only records and advances, so no test waits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.helpscout.errors import HelpScoutAPIError, RateLimited
from helpscout_app.settings import ConfigurationError, Settings

LoadFixture = Callable[[str], bytes]

BASE_URL = "https://helpscout.test/v2"
APP_ID = "test-app-id"
APP_SECRET = "test-app-secret"
TOKEN = "test-access-token-1"  # the token in api/oauth_token.json
RENEWED_TOKEN = "test-access-token-2"
CONVERSATION_ID = 3120419377
CONVERSATION_URL = f"{BASE_URL}/conversations/{CONVERSATION_ID}"
TOKEN_FORM = {"grant_type": "client_credentials", "client_id": APP_ID, "client_secret": APP_SECRET}


class FakeTime:
    """A monotonic clock that moves only when told to, or when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    """The client's clock and sleep."""
    return FakeTime()


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """Help Scout's HTTP API, answered by `responses`; every registered answer must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def api(fake_time: FakeTime) -> HelpScoutClient:
    """A client on the fake clock, with its own session."""
    return HelpScoutClient(
        BASE_URL,
        APP_ID,
        APP_SECRET,
        session=requests.Session(),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
    )


def fixture_json(load_fixture: LoadFixture, name: str) -> Any:
    """A Help Scout API fixture, parsed."""
    return json.loads(load_fixture(f"helpscout/api/{name}"))


def add_token(
    http: responses.RequestsMock, load_fixture: LoadFixture, access_token: str = TOKEN
) -> None:
    """Answer one token request (client credentials, form-encoded) with `access_token`."""
    token = fixture_json(load_fixture, "oauth_token.json")
    token["access_token"] = access_token
    http.add(
        responses.POST,
        f"{BASE_URL}/oauth2/token",
        json=token,
        match=[matchers.urlencoded_params_matcher(TOKEN_FORM)],
    )


def add_conversation(
    http: responses.RequestsMock, load_fixture: LoadFixture, *, status: int = 200, **kwargs: Any
) -> None:
    """Answer one Get Conversation (embed=threads) call."""
    if status == 200:
        kwargs.setdefault("body", load_fixture("helpscout/api/get_conversation.json"))
        kwargs.setdefault("content_type", "application/hal+json")
    http.add(
        responses.GET,
        CONVERSATION_URL,
        status=status,
        match=[matchers.query_param_matcher({"embed": "threads"})],
        **kwargs,
    )


def authorizations(http: responses.RequestsMock) -> list[str | None]:
    """The Authorization header of each call made, in order (None for the token requests)."""
    return [call.request.headers.get("Authorization") for call in http.calls]


# --- the token ----------------------------------------------------------------------------------


def test_token_is_fetched_once_with_client_credentials_and_reused(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture)
    add_conversation(http, load_fixture)

    api.get_conversation(CONVERSATION_ID)
    api.get_conversation(CONVERSATION_ID)

    token_request = http.calls[0].request
    assert token_request.method == "POST"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert authorizations(http) == [None, f"Bearer {TOKEN}", f"Bearer {TOKEN}"]
    assert (api.api_calls, api.token_requests) == (3, 1)


def test_token_is_renewed_shortly_before_it_expires(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture)
    add_conversation(http, load_fixture)
    add_token(http, load_fixture, RENEWED_TOKEN)
    add_conversation(http, load_fixture)

    api.get_conversation(CONVERSATION_ID)
    fake_time.now += 172800 - 301  # 48 h minus a little more than the 5-minute margin
    api.get_conversation(CONVERSATION_ID)
    fake_time.now += 2
    api.get_conversation(CONVERSATION_ID)

    assert authorizations(http) == [
        None,
        f"Bearer {TOKEN}",
        f"Bearer {TOKEN}",
        None,
        f"Bearer {RENEWED_TOKEN}",
    ]


def test_401_fetches_a_new_token_once_and_retries(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, status=401, json={"message": "Unauthorized"})
    add_token(http, load_fixture, RENEWED_TOKEN)
    add_conversation(http, load_fixture)

    conversation = api.get_conversation(CONVERSATION_ID)

    assert conversation["id"] == CONVERSATION_ID
    assert authorizations(http) == [None, f"Bearer {TOKEN}", None, f"Bearer {RENEWED_TOKEN}"]
    assert api.token_requests == 2


def test_second_401_in_a_row_raises(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, status=401, json={"message": "Unauthorized"})
    add_token(http, load_fixture, RENEWED_TOKEN)
    add_conversation(http, load_fixture, status=401, json={"message": "Unauthorized"})

    with pytest.raises(HelpScoutAPIError, match="answered 401 to GET") as raised:
        api.get_conversation(CONVERSATION_ID)
    assert raised.value.status == 401


def test_refused_credentials_name_the_settings_not_the_secret(
    api: HelpScoutClient, http: responses.RequestsMock
) -> None:
    http.add(
        responses.POST,
        f"{BASE_URL}/oauth2/token",
        status=401,
        json={"error": "invalid_client", "error_description": "Bad client credentials"},
    )

    with pytest.raises(HelpScoutAPIError) as raised:
        api.get_conversation(CONVERSATION_ID)

    message = str(raised.value)
    assert "HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET" in message
    assert "Bad client credentials" in message
    assert APP_SECRET not in message
    assert raised.value.status == 401


def test_token_response_without_a_token_raises(
    api: HelpScoutClient, http: responses.RequestsMock
) -> None:
    http.add(responses.POST, f"{BASE_URL}/oauth2/token", json={"token_type": "bearer"})

    with pytest.raises(HelpScoutAPIError, match="no access_token and expires_in"):
        api.get_conversation(CONVERSATION_ID)


# --- rate limits --------------------------------------------------------------------------------


def test_429_waits_the_retry_after_header_then_retries(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, status=429, headers={"X-RateLimit-Retry-After": "7"})
    add_conversation(http, load_fixture)

    api.get_conversation(CONVERSATION_ID)

    assert fake_time.sleeps == [7.0]
    assert (api.rate_limit_waits, api.rate_limit_wait_s) == (1, 7.0)
    assert api.api_calls == 3


def test_429_without_a_readable_header_waits_a_minute(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, status=429)
    add_conversation(http, load_fixture, status=429, headers={"X-RateLimit-Retry-After": "soon"})
    add_conversation(http, load_fixture)

    api.get_conversation(CONVERSATION_ID)

    assert fake_time.sleeps == [60.0, 60.0]


def test_429_longer_than_the_client_waits_raises_rate_limited(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, status=429, headers={"X-RateLimit-Retry-After": "600"})

    with pytest.raises(RateLimited, match="retry in 600 s") as raised:
        api.get_conversation(CONVERSATION_ID)

    assert raised.value.retry_after_s == 600
    assert raised.value.status == 429
    assert fake_time.sleeps == []


def test_429_again_after_the_waits_raises_rate_limited(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    for _ in range(3):
        add_conversation(http, load_fixture, status=429, headers={"X-RateLimit-Retry-After": "5"})

    with pytest.raises(RateLimited, match="waited 2 times"):
        api.get_conversation(CONVERSATION_ID)

    assert fake_time.sleeps == [5.0, 5.0]
    assert api.rate_limit_waits == 2


def test_post_is_repeated_after_429(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    notes_url = f"{CONVERSATION_URL}/notes"
    http.add(responses.POST, notes_url, status=429, headers={"X-RateLimit-Retry-After": "1"})
    http.add(responses.POST, notes_url, status=201, headers={"Resource-ID": "8812004600"})

    assert api.create_note(CONVERSATION_ID, "Checked by amz-guard.") == 8812004600


# --- server errors and connection failures ------------------------------------------------------


def test_5xx_is_retried_with_backoff(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, status=500)
    add_conversation(http, load_fixture, status=503)
    add_conversation(http, load_fixture)

    assert api.get_conversation(CONVERSATION_ID)["number"] == 4187
    assert fake_time.sleeps == [1.0, 2.0]
    assert api.retries == 2


def test_5xx_after_the_retries_raises_with_status_url_and_help_scouts_body(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    error_body = load_fixture("helpscout/api/error.server_error.json")
    for _ in range(4):
        add_conversation(http, load_fixture, status=500, body=error_body)

    with pytest.raises(HelpScoutAPIError) as raised:
        api.get_conversation(CONVERSATION_ID)

    error = raised.value
    assert error.status == 500
    assert error.method == "GET"
    assert error.url == f"{CONVERSATION_URL}?embed=threads"
    assert error.error_body == json.loads(error_body)
    assert str(error) == (
        f"Help Scout answered 500 to GET {CONVERSATION_URL}?embed=threads: Internal server error; "
        "logRef 0b6e1d42-95c3-4f7a-b8d1-2c3e4f5a6b7c#90417, after 4 attempts"
    )
    assert fake_time.sleeps == [1.0, 2.0, 4.0]


def test_connection_errors_are_retried_then_raised(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    for _ in range(4):
        add_conversation(http, load_fixture, body=requests.ConnectionError("connection refused"))

    with pytest.raises(HelpScoutAPIError, match="could not reach Help Scout") as raised:
        api.get_conversation(CONVERSATION_ID)

    assert raised.value.status is None
    assert raised.value.url == f"{CONVERSATION_URL}?embed=threads"
    assert fake_time.sleeps == [1.0, 2.0, 4.0]


def test_post_is_not_repeated_after_a_5xx(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    http.add(responses.POST, f"{CONVERSATION_URL}/notes", status=502)

    with pytest.raises(HelpScoutAPIError, match="not repeated, since it may have been applied"):
        api.create_note(CONVERSATION_ID, "Checked by amz-guard.")

    assert fake_time.sleeps == []


def test_post_is_repeated_after_a_connect_timeout(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    notes_url = f"{CONVERSATION_URL}/notes"
    http.add(responses.POST, notes_url, body=requests.ConnectTimeout("connect timed out"))
    http.add(responses.POST, notes_url, status=201, headers={"Resource-ID": "8812004600"})

    assert api.create_note(CONVERSATION_ID, "Checked by amz-guard.") == 8812004600


def test_4xx_raises_at_once_with_help_scouts_reasons_but_not_the_echoed_values(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    fake_time: FakeTime,
) -> None:
    add_token(http, load_fixture)
    error_body = load_fixture("helpscout/api/error.bad_request.json")
    http.add(responses.PATCH, f"{CONVERSATION_URL}/threads/8812004522", status=400, body=error_body)

    with pytest.raises(HelpScoutAPIError) as raised:
        api.update_thread_text(CONVERSATION_ID, 8812004522, "New text")

    message = str(raised.value)
    assert message.startswith(
        f"Help Scout answered 400 to PATCH {CONVERSATION_URL}/threads/8812004522: Bad request; "
        "status: must be one of: active, pending, closed, spam; logRef "
    )
    assert "archived" not in message  # the rejected value stays in error_body only
    assert raised.value.error_body["_embedded"]["errors"][0]["rejectedValue"] == "archived"
    assert fake_time.sleeps == []


# --- conversations and threads ------------------------------------------------------------------


def test_get_conversation_with_threads(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture)

    conversation = api.get_conversation(CONVERSATION_ID)

    assert conversation == fixture_json(load_fixture, "get_conversation.json")
    assert [t["id"] for t in conversation["_embedded"]["threads"]] == [8812004511, 8812004503]


def test_get_conversation_without_threads(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        CONVERSATION_URL,
        body=load_fixture("helpscout/api/get_conversation.json"),
        match=[matchers.query_string_matcher("")],
    )

    api.get_conversation(CONVERSATION_ID, embed_threads=False)

    assert http.calls[1].request.url == CONVERSATION_URL


def test_list_threads(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        f"{CONVERSATION_URL}/threads",
        body=load_fixture("helpscout/api/list_threads.json"),
        match=[matchers.query_param_matcher({"page": "1"})],
    )

    threads = list(api.list_threads(CONVERSATION_ID))

    assert [(t["id"], t["type"], t["state"]) for t in threads] == [
        (8812004530, "message", "draft"),  # scheduled (Send Later)
        (8812004522, "message", "draft"),
        (8812004540, "customer", "published"),
        (8812004517, "note", "published"),
        (8812004511, "message", "published"),
        (8812004503, "customer", "published"),
    ]
    assert threads[0]["scheduled"]["scheduledFor"] == "2026-11-20T13:20:00Z"
    assert "scheduled" not in threads[1]


def test_list_conversations_iterates_pages_with_the_same_filters(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    filters = {"mailbox": "101,303", "status": "all", "modifiedSince": "2026-11-20T08:00:00Z"}
    for page in (1, 2):
        http.add(
            responses.GET,
            f"{BASE_URL}/conversations",
            body=load_fixture(f"helpscout/api/list_conversations.page{page}.json"),
            match=[matchers.query_param_matcher({**filters, "page": str(page)})],
        )

    conversations = api.list_conversations(
        mailbox=[101, 303],
        status="all",
        modified_since=datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=1))),
    )

    assert [c["number"] for c in conversations] == [4187, 4188, 4190]
    assert api.api_calls == 3


def test_list_conversations_fetches_a_page_only_when_needed(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        f"{BASE_URL}/conversations",
        body=load_fixture("helpscout/api/list_conversations.page1.json"),
        match=[matchers.query_param_matcher({"mailbox": "101", "status": "active", "page": "1"})],
    )

    conversations = api.list_conversations(mailbox=101)
    assert api.api_calls == 0
    assert next(conversations)["number"] == 4187
    assert api.api_calls == 2


def test_list_conversations_other_filters(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        f"{BASE_URL}/conversations",
        json={"page": {"size": 25, "totalElements": 0, "totalPages": 0, "number": 1}},
        match=[
            matchers.query_param_matcher(
                {
                    "status": "active",
                    "query": '(email:"marketplace.amazon.com")',
                    "tag": "amazon",
                    "embed": "threads",
                    "sortField": "modifiedAt",
                    "sortOrder": "asc",
                    "page": "1",
                }
            )
        ],
    )

    conversations = api.list_conversations(
        query='(email:"marketplace.amazon.com")',
        tag="amazon",
        embed_threads=True,
        sort_field="modifiedAt",
        sort_order="asc",
    )
    assert list(conversations) == []  # an empty list has no `_embedded` at all


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"status": "archived"}, "status must be one of active, all, closed"),
        ({"modified_since": datetime(2026, 11, 20, 9, 0)}, "must be timezone-aware"),
        ({"mailbox": "101"}, "positive integer"),
    ],
)
def test_list_conversations_refuses_bad_filters_before_calling(
    api: HelpScoutClient, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        api.list_conversations(**arguments)


def test_pages_follow_links_when_page_counts_are_missing(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    url = f"{BASE_URL}/webhooks"
    first = {"_embedded": {"webhooks": [{"id": 1}]}, "_links": {"next": {"href": "elsewhere"}}}
    http.add(responses.GET, url, json=first, match=[matchers.query_param_matcher({"page": "1"})])
    last = {"_embedded": {"webhooks": [{"id": 2}]}, "_links": {}}
    http.add(responses.GET, url, json=last, match=[matchers.query_param_matcher({"page": "2"})])

    assert [w["id"] for w in api.list_webhooks()] == [1, 2]
    # The next link is never followed as such: our own base URL is, with ?page=2.
    assert http.calls[2].request.url == f"{url}?page=2"


def test_an_empty_page_ends_the_iteration_whatever_the_count_says(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        f"{BASE_URL}/webhooks",
        json={"page": {"size": 50, "totalElements": 500, "totalPages": 10, "number": 1}},
    )

    assert list(api.list_webhooks()) == []


def test_non_json_response_raises(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, body="<html>maintenance</html>")

    with pytest.raises(HelpScoutAPIError, match="not JSON"):
        api.get_conversation(CONVERSATION_ID)


def test_ids_must_be_positive_integers(api: HelpScoutClient) -> None:
    for bad_id in ("3120419377", 0, -1, True, 1.0):
        with pytest.raises(ValueError, match="positive integer"):
            api.get_conversation(bad_id)  # type: ignore[arg-type]


# --- writes -------------------------------------------------------------------------------------


def test_create_note(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.POST,
        f"{CONVERSATION_URL}/notes",
        status=201,
        headers={"Resource-ID": "8812004600", "Location": f"{CONVERSATION_URL}/threads/8812004600"},
        match=[matchers.json_params_matcher({"text": "amz-guard: reply blocked."})],
    )

    assert api.create_note(CONVERSATION_ID, "amz-guard: reply blocked.") == 8812004600
    assert http.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_create_note_with_user_and_status(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.POST,
        f"{CONVERSATION_URL}/notes",
        status=201,
        match=[matchers.json_params_matcher({"text": "x", "user": 531200, "status": "pending"})],
    )

    assert api.create_note(CONVERSATION_ID, "x", user_id=531200, status="pending") is None


def test_create_note_needs_text(api: HelpScoutClient) -> None:
    with pytest.raises(ValueError, match="needs text"):
        api.create_note(CONVERSATION_ID, "  ")


def test_get_tags(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        CONVERSATION_URL,
        body=load_fixture("helpscout/api/get_conversation.json"),
        match=[matchers.query_string_matcher("")],
    )

    assert api.get_tags(CONVERSATION_ID) == ["amazon"]


def test_add_tags_keeps_existing_tags_and_adds_no_duplicates(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    conversation = fixture_json(load_fixture, "get_conversation.json")
    conversation["tags"].append({"id": 9150002, "color": "#d8524f", "tag": "VIP"})
    http.add(
        responses.GET,
        CONVERSATION_URL,
        json=conversation,
        match=[matchers.query_string_matcher("")],
    )
    http.add(
        responses.PUT,
        f"{CONVERSATION_URL}/tags",
        status=204,
        match=[matchers.json_params_matcher({"tags": ["amazon", "VIP", "amazon-noncompliant"]})],
    )

    merged = api.add_tags(
        CONVERSATION_ID, ["amazon-noncompliant", "vip", "Amazon", "amazon-noncompliant"]
    )

    assert merged == ["amazon", "VIP", "amazon-noncompliant"]


def test_add_tags_writes_nothing_when_every_tag_is_there(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        CONVERSATION_URL,
        body=load_fixture("helpscout/api/get_conversation.json"),
        match=[matchers.query_string_matcher("")],
    )

    assert api.add_tags(CONVERSATION_ID, ["amazon"]) == ["amazon"]
    assert [call.request.method for call in http.calls] == ["POST", "GET"]  # no PUT


def test_add_tags_refuses_blank_tags(api: HelpScoutClient) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        api.add_tags(CONVERSATION_ID, ["amazon", " "])


def test_set_tags_replaces_the_list(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.PUT,
        f"{CONVERSATION_URL}/tags",
        status=204,
        match=[matchers.json_params_matcher({"tags": []})],
    )

    api.set_tags(CONVERSATION_ID, [])


def test_cancel_schedule(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(responses.DELETE, f"{CONVERSATION_URL}/threads/8812004530/schedule", status=204)

    api.cancel_schedule(CONVERSATION_ID, 8812004530)

    assert http.calls[1].request.body is None
    assert http.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_cancel_schedule_of_a_thread_no_longer_scheduled_raises_with_its_status(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.DELETE,
        f"{CONVERSATION_URL}/threads/8812004530/schedule",
        status=404,
        json={"logRef": "x#1", "message": "Not found"},
    )

    with pytest.raises(HelpScoutAPIError) as raised:
        api.cancel_schedule(CONVERSATION_ID, 8812004530)
    assert raised.value.status == 404


def test_update_thread_text(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.PATCH,
        f"{CONVERSATION_URL}/threads/8812004522",
        status=204,
        match=[
            matchers.json_params_matcher(
                {"op": "replace", "path": "/text", "value": "Hi Jordan, yes it does."}
            )
        ],
    )

    api.update_thread_text(CONVERSATION_ID, 8812004522, "Hi Jordan, yes it does.")


# --- webhooks -----------------------------------------------------------------------------------


def test_list_webhooks(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        f"{BASE_URL}/webhooks",
        body=load_fixture("helpscout/api/list_webhooks.json"),
        match=[matchers.query_param_matcher({"page": "1"})],
    )

    webhooks = list(api.list_webhooks())

    assert [(w["id"], w["state"]) for w in webhooks] == [(21411, "enabled"), (20987, "disabled")]


def test_create_webhook(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    events = ["convo.agent.reply.created", "convo.created", "convo.customer.reply.created"]
    http.add(
        responses.POST,
        f"{BASE_URL}/webhooks",
        status=201,
        headers={"Resource-ID": "21411", "Location": f"{BASE_URL}/webhooks/21411"},
        match=[
            matchers.json_params_matcher(
                {
                    "url": "https://amz-guard.seller.example/webhooks/helpscout",
                    "events": events,
                    "secret": "test-webhook-secret",
                    "payloadVersion": "V2",
                    "notification": False,
                    "mailboxIds": [101, 202],
                    "label": "amz-guard",
                }
            )
        ],
    )

    webhook_id = api.create_webhook(
        "https://amz-guard.seller.example/webhooks/helpscout",
        events,
        "test-webhook-secret",
        mailbox_ids=[101, 202],
        label="amz-guard",
    )

    assert webhook_id == 21411


@pytest.mark.parametrize(
    ("secret", "events", "message"),
    [
        ("", ["convo.created"], "needs a secret"),
        ("x" * 41, ["convo.created"], "at most 40 characters"),
        ("s3cret", [], "at least one event"),
    ],
)
def test_create_webhook_refuses_before_calling(
    api: HelpScoutClient, secret: str, events: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        api.create_webhook("https://example.test/hook", events, secret)


# --- construction -------------------------------------------------------------------------------


def test_from_settings_uses_the_configured_url_and_credentials(
    settings: Settings, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    base_url = "http://127.0.0.1:9/v2"  # HELPSCOUT_API_URL in the test settings
    http.add(
        responses.POST,
        f"{base_url}/oauth2/token",
        body=load_fixture("helpscout/api/oauth_token.json"),
        match=[matchers.urlencoded_params_matcher(TOKEN_FORM)],
    )
    http.add(responses.GET, f"{base_url}/webhooks", json={})

    api = HelpScoutClient.from_settings(settings)

    assert list(api.list_webhooks()) == []


def test_from_settings_without_credentials_names_the_variables(
    clean_environment: Path, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)

    with pytest.raises(ConfigurationError, match=r"^HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET: "):
        HelpScoutClient.from_settings(settings)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("", APP_ID, APP_SECRET), "base_url must be an http"),
        (("ftp://helpscout.test", APP_ID, APP_SECRET), "base_url must be an http"),
        ((BASE_URL, " ", APP_SECRET), "HELPSCOUT_APP_ID"),
        ((BASE_URL, APP_ID, ""), "HELPSCOUT_APP_SECRET"),
    ],
)
def test_constructor_refuses_missing_configuration(
    arguments: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        HelpScoutClient(*arguments)


def test_tokens_secrets_and_bodies_never_reach_the_logs(
    api: HelpScoutClient,
    http: responses.RequestsMock,
    load_fixture: LoadFixture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add_token(http, load_fixture)
    add_conversation(http, load_fixture, status=401, json={"message": "Unauthorized"})
    add_token(http, load_fixture, RENEWED_TOKEN)
    add_conversation(http, load_fixture, status=500)
    add_conversation(http, load_fixture, status=429, headers={"X-RateLimit-Retry-After": "1"})
    add_conversation(http, load_fixture)

    with caplog.at_level(logging.DEBUG, logger="helpscout_app.helpscout.client"):
        api.get_conversation(CONVERSATION_ID)

    assert caplog.records  # it does log what happened
    for secret in (TOKEN, RENEWED_TOKEN, APP_SECRET, "replacement lid", "marketplace.amazon"):
        assert secret not in caplog.text
        assert secret not in repr(api)


def test_modified_since_is_sent_in_utc(
    api: HelpScoutClient, http: responses.RequestsMock, load_fixture: LoadFixture
) -> None:
    add_token(http, load_fixture)
    http.add(
        responses.GET,
        f"{BASE_URL}/conversations",
        json={},
        match=[
            matchers.query_param_matcher(
                {"status": "active", "modifiedSince": "2026-11-20T23:30:05Z", "page": "1"}
            )
        ],
    )

    moment = datetime(2026, 11, 20, 23, 30, 5, 999, tzinfo=UTC)
    assert list(api.list_conversations(modified_since=moment)) == []
