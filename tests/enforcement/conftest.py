"""Enforcement fixtures: Help Scout's API answered by `responses` from the fixture files, a
client on it, the fake Slack behind a notifier, and the API calls made, in order."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest
import requests
import responses

from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.settings import Settings

if TYPE_CHECKING:
    from conftest import FakeSlack

LoadFixture = Callable[[str], bytes]

API_URL = "http://127.0.0.1:9/v2"  # the `settings` fixture's HELPSCOUT_API_URL
CONVERSATION_ID = 3120419377
CONVERSATION_URL = f"{API_URL}/conversations/{CONVERSATION_ID}"


@pytest.fixture
def http(load_fixture: LoadFixture) -> Iterator[responses.RequestsMock]:
    """Help Scout's HTTP API, answered by `responses`; the token endpoint is always there."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{API_URL}/oauth2/token",
            body=load_fixture("helpscout/api/oauth_token.json"),
            content_type="application/json",
        )
        yield mock


@pytest.fixture
def helpscout(settings: Settings, http: responses.RequestsMock) -> HelpScoutClient:
    """A Help Scout client on the mocked API that never really sleeps."""
    return HelpScoutClient.from_settings(settings, session=requests.Session(), sleep=lambda _: None)


@pytest.fixture
def notifier(fake_slack: FakeSlack) -> SlackNotifier:
    """Alerts go to the fake Slack's incoming webhook."""
    return SlackNotifier(webhook_url=fake_slack.webhook_url)


@pytest.fixture
def api_json(load_fixture: LoadFixture) -> Callable[[str], Any]:
    """A Help Scout API fixture, parsed: `api_json("list_threads.json")`."""

    def load(name: str) -> Any:
        return json.loads(load_fixture(f"helpscout/api/{name}"))

    return load


@pytest.fixture
def webhook_json(load_fixture: LoadFixture) -> Callable[[str], Any]:
    """A webhook body fixture, parsed: `webhook_json("convo.created.json")`."""

    def load(name: str) -> Any:
        return json.loads(load_fixture(f"helpscout/webhooks/{name}"))

    return load


class CallLog:
    """The Help Scout calls a test made, read from the `responses` mock."""

    def __init__(self, http: responses.RequestsMock) -> None:
        self._http = http

    def made(self) -> list[tuple[str, str]]:
        """(method, path?query) of each call in order, token requests left out."""
        calls = []
        for call in self._http.calls:
            parts = urlsplit(call.request.url)
            if parts.path.endswith("/oauth2/token"):
                continue
            query = f"?{unquote(parts.query)}" if parts.query else ""
            calls.append((call.request.method, parts.path.removeprefix("/v2") + query))
        return calls

    def bodies(self, method: str, path: str) -> list[Any]:
        """The JSON bodies sent with `method` to `path` (no query), in order."""
        return [
            json.loads(call.request.body)
            for call in self._http.calls
            if call.request.method == method and urlsplit(call.request.url).path == f"/v2{path}"
        ]


class HelpScoutNotes:
    """A conversation's notes on the `responses` mock: POST stores the note, then answers as the
    test says; GET .../threads lists the stored notes before the fixture's threads."""

    def __init__(
        self, http: responses.RequestsMock, api_json: Callable[[str], Any], conversation_id: int
    ) -> None:
        self.posted: list[str] = []
        self.answers: list[Exception | int] = []  # for the next POSTs; then 201
        self.threads = api_json("list_threads.json")
        path = f"{API_URL}/conversations/{conversation_id}"
        http.add_callback(responses.POST, f"{path}/notes", callback=self._post)
        http.add_callback(responses.GET, f"{path}/threads", callback=self._list)
        http.get(path, json=api_json("get_conversation.json"))
        http.put(f"{path}/tags", status=204)

    def _post(self, request: Any) -> tuple[int, dict[str, str], str]:
        answer = self.answers.pop(0) if self.answers else 201
        if answer == 500:
            return 500, {}, '{"message": "Internal Server Error"}'  # not stored
        self.posted.append(json.loads(request.body)["text"])
        if isinstance(answer, Exception):
            raise answer  # stored, but the answer never came back
        return 201, {"Resource-ID": str(8812004600 + len(self.posted))}, ""

    def _list(self, request: Any) -> tuple[int, dict[str, str], str]:
        notes = [
            {"id": 8812004600 + n, "type": "note", "state": "published", "body": text}
            for n, text in enumerate(self.posted, start=1)
        ]
        page = copy.deepcopy(self.threads)
        page["_embedded"]["threads"][:0] = reversed(notes)  # newest first
        return 200, {"Content-Type": "application/hal+json"}, json.dumps(page)


@pytest.fixture
def helpscout_notes(
    http: responses.RequestsMock, api_json: Callable[[str], Any]
) -> Callable[[int], HelpScoutNotes]:
    """`helpscout_notes(conversation_id)`: that conversation's notes, threads and tags served."""
    return lambda conversation_id: HelpScoutNotes(http, api_json, conversation_id)


@pytest.fixture
def helpscout_calls(http: responses.RequestsMock) -> CallLog:
    """What the test asked of Help Scout."""
    return CallLog(http)
