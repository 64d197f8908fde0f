"""GET /sidebar/app (the iframe page) and POST /sidebar/check (its "check this text" box),
which only a page served after a valid signature can call."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from pydantic import SecretStr
from sidebar_case import CONVERSATION_ID, SidebarCaller, php_json, sign

from helpscout_app.settings import Settings
from helpscout_app.web.sidebar_session import (
    HEADER,
    InvalidSession,
    SidebarSession,
    mint_session,
    read_session,
)


def session_token(html: str) -> str:
    marker = '<meta name="amz-guard-session" content="'
    return html.split(marker, 1)[1].split('"', 1)[0]


def test_the_page_shows_the_widget_and_the_check_box(
    sidebar: SidebarCaller,
    waiting_with_draft: None,
) -> None:

    response = sidebar.app(**{"mailbox-id": "101", "user-id": "531200"})

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Amazon buyer" in html and "Waiting" in html and "Blocked" in html
    assert "Check this text" in html and 'id="check-text"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert '<script src="/sidebar/static/sidebar.js">' in html
    assert "http://" not in html.split("<body>")[0].replace("http://localhost", "")


def test_the_page_and_its_assets_are_served_from_here(client: FlaskClient) -> None:
    for name in ("sidebar.js", "sidebar.css"):
        response = client.get(f"/sidebar/static/{name}")
        assert response.status_code == 200 and response.get_data()
        response.close()


def test_parameters_signed_with_plain_json_are_accepted_too(
    client: FlaskClient, settings: Settings, store_conversation: Callable[..., None]
) -> None:
    store_conversation()
    params = {"conversation-id": str(CONVERSATION_ID), "origin": "https://secure.helpscout.net/"}
    secret = settings.helpscout_sidebar_secret.get_secret_value()  # type: ignore[union-attr]
    plain = sign(
        secret, b'{"conversation-id":"3120419377","origin":"https://secure.helpscout.net/"}'
    )
    assert plain != sign(secret, php_json(params))

    response = client.get("/sidebar/app?" + urlencode({**params, "X-HelpScout-Signature": plain}))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "conversation-id=3120419377",
        "conversation-id=3120419377&X-HelpScout-Signature=",
        "conversation-id=3120419377&X-HelpScout-Signature=7S2%2BkN8bZsrdAEADJ%2ByYfWWsf%2F4%3D",
    ],
)
def test_an_unsigned_or_badly_signed_page_is_refused(client: FlaskClient, query: str) -> None:
    response = client.get(f"/sidebar/app?{query}")

    assert response.status_code == 401
    assert "request refused" in response.get_json()["error"]


def test_a_repeated_conversation_id_is_refused(
    client: FlaskClient, settings: Settings, store_conversation: Callable[..., None]
) -> None:
    """A signed URL for one conversation, with another `conversation-id` put in front, must
    not give a session for the other conversation."""
    store_conversation()
    secret = settings.helpscout_sidebar_secret.get_secret_value()  # type: ignore[union-attr]
    signed = {"conversation-id": "111", "mailbox-id": "101"}
    signature = sign(secret, php_json(signed))
    forged = urlencode(
        [
            ("conversation-id", str(CONVERSATION_ID)),
            *signed.items(),
            ("X-HelpScout-Signature", signature),
        ]
    )

    response = client.get(f"/sidebar/app?{forged}")

    assert response.status_code == 401
    assert "amz-guard-session" not in response.get_data(as_text=True)
    assert "repeated" in response.get_json()["error"]


def test_the_pages_buttons_post_to_same_origin_paths(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    """The iframe page is ours: a path works whatever scheme and host the browser used (an
    absolute http:// URL behind a TLS proxy was mixed content, and the button did nothing)."""
    store_conversation(status="closed")
    conversation_answers("get_conversation.with-draft.json")
    order_answers()

    response = sidebar.client.get(sidebar.app_url(), base_url="http://10.0.0.5:8000")

    html = response.get_data(as_text=True)
    assert 'action="/sidebar/nrn-done"' in html
    assert "10.0.0.5" not in html and "http://" not in html


def test_the_check_box_reports_findings_and_the_redacted_text(
    sidebar: SidebarCaller, store_conversation: Callable[..., None], client: FlaskClient
) -> None:
    store_conversation()
    token = session_token(sidebar.app().get_data(as_text=True))

    response = client.post(
        "/sidebar/check",
        json={"text": "Thanks! Call me at (555) 201-4477 or write to jo@example.com"},
        headers={HEADER: token},
    )

    assert response.status_code == 200
    report = response.get_json()
    assert report["blocked"] is True
    assert [finding["kind"] for finding in report["findings"]] == ["phone", "email"]
    assert report["findings"][0]["text"] == "(555) 201-4477"
    assert "201-4477" not in report["redacted"] and "jo@example.com" not in report["redacted"]


def test_the_check_takes_html(
    sidebar: SidebarCaller, client: FlaskClient, settings: Settings
) -> None:
    token = mint_session(settings.helpscout_sidebar_secret, SidebarSession(CONVERSATION_ID))  # type: ignore[arg-type]

    response = client.post(
        "/sidebar/check",
        json={"text": '<p>See <a href="https://example.com/x">here</a></p>', "html": True},
        headers={HEADER: token},
    )

    assert response.get_json()["blocked"] is True


@pytest.mark.parametrize(
    "headers",
    [{}, {HEADER: ""}, {HEADER: "not-a-token"}],
    ids=["missing", "empty", "forged"],
)
def test_the_check_needs_a_sidebar_session(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/sidebar/check", json={"text": "hello"}, headers=headers)

    assert response.status_code == 401


def test_a_session_signed_with_another_secret_is_refused(client: FlaskClient) -> None:
    token = mint_session(SecretStr("another-secret"), SidebarSession(CONVERSATION_ID))

    response = client.post("/sidebar/check", json={"text": "hello"}, headers={HEADER: token})

    assert response.status_code == 401


def test_an_expired_session_is_refused() -> None:
    secret = SecretStr("s")
    token = mint_session(secret, SidebarSession(CONVERSATION_ID, order_ids=("1",)))

    assert read_session(secret, token, max_age_s=60).order_ids == ("1",)
    with pytest.raises(InvalidSession, match="expired"):
        read_session(secret, token, max_age_s=-1)


@pytest.mark.parametrize(
    ("body", "reason"),
    [({"html": True}, '{"text"'), ({"text": "x" * 100_001}, "over 100000 characters")],
)
def test_a_bad_check_request_is_a_400(
    client: FlaskClient, settings: Settings, body: dict[str, object], reason: str
) -> None:
    token = mint_session(settings.helpscout_sidebar_secret, SidebarSession(CONVERSATION_ID))  # type: ignore[arg-type]

    response = client.post("/sidebar/check", json=body, headers={HEADER: token})

    assert response.status_code == 400
    assert reason in response.get_json()["error"]
