"""POST /sidebar/dynamic: what an agent sees for each state of a conversation, from signed
fixture payloads, with Help Scout and SP-API answered from fixture files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import responses
import respx
from flask import Flask
from sidebar_case import NOW, ORDER_URL, SOLICITATIONS_URL, SidebarCaller, sign
from sqlalchemy.orm import Session

from helpscout_app.settings import Settings
from helpscout_app.store.models import AmazonNotification, ComplianceCheck
from helpscout_app.web.sidebar import CLOCK


def widget(sidebar: SidebarCaller, fixture: str = "dynamic.json") -> str:
    response = sidebar.dynamic(fixture)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["html"]


def test_an_amazon_conversation_shows_clock_draft_order_and_playbook(
    sidebar: SidebarCaller,
    waiting_with_draft: None,
) -> None:

    html = widget(sidebar)

    assert "Amazon buyer" in html and "United States (amazon.com)" in html
    # the clock: buyer's message at 09:14, now 12:14
    assert "Waiting" in html and "since 2026-11-20 09:14 UTC" in html
    assert "21 h 0 min left</span>" in html and "due 2026-11-21 09:14 UTC" in html
    # the newest draft has a phone number
    assert "Blocked" in html and "(555) 201-4477" in html
    assert "Redacted:" in html and "201-4477" not in html.split("Redacted:")[1].split("</pre>")[0]
    # the order through SP-API
    assert "112-4839201-5512347" in html and "Shipped" in html
    assert "Fulfilled by Amazon (AFN)" in html
    assert "1 × Gooseneck Pour-Over Kettle, 1.2 L, Matte Black" in html
    assert "ASIN B0C7XK2QZ1" in html
    assert "2026-11-06 – 2026-11-08" in html  # delivery window
    # the buyer's "cracked" lid is a product problem: refund template filled in
    assert "Product problem: resolve it now" in html
    assert "Gooseneck Pour-Over Kettle, 1.2 L, Matte Black did not work out" in html
    assert "34.99 USD" in html and "for order 112-4839201-5512347" in html


def test_a_new_conversation_says_there_is_nothing_yet(sidebar: SidebarCaller) -> None:
    html = widget(sidebar, "dynamic.new-conversation.json")

    assert "New conversation" in html


def test_a_customer_who_is_not_an_amazon_buyer_is_left_alone(
    sidebar: SidebarCaller, helpscout_api: responses.RequestsMock
) -> None:
    html = widget(sidebar, "dynamic.non-amazon.json")

    assert "Not an Amazon buyer" in html
    assert "24-hour clock" not in html and "Playbook" not in html
    assert [call.request.url for call in helpscout_api.calls] == []  # nothing to ask Help Scout


def test_an_answered_conversation(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    store_conversation(replied=True)
    conversation_answers("get_conversation.json")
    order_answers()

    html = widget(sidebar)

    assert "Answered" in html and "last reply 2026-11-20 10:14 UTC" in html
    assert "Clean" in html


def test_a_breached_conversation(
    app: Flask,
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    store_conversation()
    conversation_answers("get_conversation.json")
    order_answers()
    app.config[CLOCK] = lambda: NOW + timedelta(hours=23)

    html = widget(sidebar)

    assert "Breached" in html and "overdue by 2 h 0 min</span>" in html


def test_no_response_needed_pending_shows_the_messages_link_and_the_action(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    store_session: Session,
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    store_conversation(status="closed")
    store_session.add(
        AmazonNotification(
            message_id="<nrn-1@amazon.test>",
            kind="buyer_message",
            order_ids=["112-4839201-5512347"],
            received_at=NOW - timedelta(hours=3),
            no_response_needed_url="https://sellercentral.amazon.com/messaging/nrn?id=abc&t=1",
            matched_thread_id=8812004503,
            matched_conversation_id=3120419377,
        )
    )
    store_session.commit()
    conversation_answers("get_conversation.json")
    order_answers()

    html = widget(sidebar)

    assert "No response needed pending" in html
    assert 'href="https://sellercentral.amazon.com/messaging/nrn?id=abc&amp;t=1"' in html
    assert "Marked in Seller Central" in html
    assert 'action="http://localhost/sidebar/nrn-done"' in html


def test_missing_sp_api_credentials_show_a_hint(
    app: Flask,
    settings: Settings,
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
) -> None:
    app.config["SETTINGS"] = settings.model_copy(
        update={"lwa_app_id": None, "lwa_client_secret": None, "sp_api_refresh_token": None}
    )
    store_conversation()
    conversation_answers("get_conversation.json")

    with respx.mock(assert_all_mocked=True):  # nothing may reach SP-API
        html = widget(sidebar)

    assert "Amazon order details are off: set LWA_APP_ID, LWA_CLIENT_SECRET and" in html
    assert "Waiting" in html


def test_help_scout_down_still_shows_what_the_store_knows(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    store_session: Session,
    helpscout_api: responses.RequestsMock,
    order_answers: Callable[..., None],
) -> None:
    store_conversation()
    store_session.add(
        ComplianceCheck(
            conversation_id=3120419377,
            thread_id=8812004520,
            body_hash="0" * 64,
            source="draft",
            blocked=True,
            finding_kinds=["phone"],
            findings=[
                {
                    "kind": "phone",
                    "severity": "block",
                    "start": 28,
                    "end": 42,
                    "text": "(555) 201-4477",
                    "rule": "phone.number",
                    "message": "Phone number: Amazon forbids contact details.",
                }
            ],
            checked_at=NOW - timedelta(minutes=5),
        )
    )
    store_session.commit()
    helpscout_api.get("http://127.0.0.1:9/v2/conversations/3120419377", status=503)
    order_answers()

    html = widget(sidebar)

    assert "Help Scout did not answer in time" in html
    assert "Blocked" in html and "(555) 201-4477" in html
    assert "Shipped" in html


def test_a_warm_sidebar_calls_neither_help_scout_nor_amazon(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
    helpscout_api: responses.RequestsMock,
    sp_api: respx.MockRouter,
) -> None:
    store_conversation()
    conversation_answers("get_conversation.with-draft.json")
    order_answers()
    first = widget(sidebar)
    calls = (len(helpscout_api.calls), len(sp_api.calls))

    second = widget(sidebar)

    assert (len(helpscout_api.calls), len(sp_api.calls)) == calls
    assert second.split('name="session"')[0] == first.split('name="session"')[0]


@pytest.mark.parametrize(
    ("now", "actions", "shown"),
    [
        (NOW, "get_solicitation_actions_for_order.json", "Request a Review for 112-"),
        (NOW, "get_solicitation_actions_for_order.none.json", "Amazon does not offer Request"),
        (datetime(2026, 11, 9, tzinfo=UTC), None, "opens 5 days after delivery"),
        (datetime(2026, 12, 9, tzinfo=UTC), None, "the 30-day window has closed"),
    ],
    ids=["offered", "not offered by Amazon", "before the window", "after the window"],
)
def test_a_happy_buyer_gets_request_a_review_inside_its_window_never_seller_feedback(
    app: Flask,
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    now: datetime,
    actions: str | None,
    shown: str,
) -> None:
    store_conversation()
    conversation_answers("get_conversation.happy-buyer.json")
    order_answers()
    asked = sp_api.get(SOLICITATIONS_URL)
    if actions is not None:
        asked.respond(200, content=load_fixture(f"amazon/sp_api/{actions}"))
    app.config[CLOCK] = lambda: now

    html = widget(sidebar)

    assert "Happy buyer" in html and shown in html
    assert ("<button" in html) == (actions == "get_solicitation_actions_for_order.json")
    assert asked.called == (actions is not None)  # Amazon is asked only inside the window
    assert "feedback" not in html.casefold()


@pytest.mark.parametrize(
    ("raw_body", "reason"),
    [(b"not json", "not JSON"), (b"[1, 2]", "not a JSON object")],
)
def test_an_unreadable_body_is_a_400_with_the_reason(
    client, settings: Settings, raw_body: bytes, reason: str
) -> None:
    secret = settings.helpscout_sidebar_secret.get_secret_value()  # type: ignore[union-attr]
    response = client.post(
        "/sidebar/dynamic", data=raw_body, headers={"X-HelpScout-Signature": sign(secret, raw_body)}
    )

    assert response.status_code == 400
    assert reason in response.get_json()["error"]


def test_without_a_sidebar_secret_requests_are_refused_with_503(
    app: Flask, settings: Settings, sidebar: SidebarCaller
) -> None:
    app.config["SETTINGS"] = settings.model_copy(update={"helpscout_sidebar_secret": None})

    response = sidebar.dynamic()

    assert response.status_code == 503
    assert "HELPSCOUT_SIDEBAR_SECRET" in response.get_json()["error"]


def test_the_dynamic_apps_buttons_post_to_public_url(
    app: Flask,
    settings: Settings,
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    """Behind a TLS proxy the request says http://; the HTML shown inside Help Scout's https
    page must post to the public https address, or the browser blocks it as mixed content."""
    app.config["SETTINGS"] = settings.model_copy(
        update={"public_url": "https://amz-guard.example.com"}
    )
    store_conversation(status="closed")
    conversation_answers("get_conversation.with-draft.json")
    order_answers()

    html = widget(sidebar)

    assert 'action="https://amz-guard.example.com/sidebar/nrn-done"' in html
    assert "http://" not in html


@pytest.mark.parametrize(
    ("actions", "shown"),
    [
        ("get_solicitation_actions_for_order.json", "Request a Review for 112-"),
        ("get_solicitation_actions_for_order.none.json", "Amazon does not offer Request"),
    ],
    ids=["offered", "not offered by Amazon"],
)
def test_for_an_fba_order_without_delivery_dates_amazon_decides(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    actions: str,
    shown: str,
) -> None:
    """Orders v0 gives no delivery dates for FBA orders, so the window is unknown: Amazon is
    asked, and "does not offer" is said only when Amazon said so."""
    store_conversation()
    conversation_answers("get_conversation.happy-buyer.json")
    sp_api.get(ORDER_URL).respond(200, content=load_fixture("amazon/sp_api/get_order.fba.json"))
    sp_api.get(f"{ORDER_URL}/orderItems").respond(
        200, content=load_fixture("amazon/sp_api/get_order_items.json")
    )
    asked = sp_api.get(SOLICITATIONS_URL).respond(
        200, content=load_fixture(f"amazon/sp_api/{actions}")
    )

    html = widget(sidebar)

    assert asked.called
    assert "Fulfilled by Amazon (AFN)" in html and "Happy buyer" in html and shown in html
    assert ("<button" in html) == (actions == "get_solicitation_actions_for_order.json")
    assert "feedback" not in html.casefold()


def test_for_an_fba_order_amazon_not_answering_is_not_called_a_refusal(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
) -> None:
    store_conversation()
    conversation_answers("get_conversation.happy-buyer.json")
    sp_api.get(ORDER_URL).respond(200, content=load_fixture("amazon/sp_api/get_order.fba.json"))
    sp_api.get(f"{ORDER_URL}/orderItems").respond(
        200, content=load_fixture("amazon/sp_api/get_order_items.json")
    )
    sp_api.get(SOLICITATIONS_URL).respond(503, json={"errors": [{"code": "ServiceUnavailable"}]})

    html = widget(sidebar)

    assert "Amazon does not offer" not in html
    assert "Amazon did not answer in time" in html
