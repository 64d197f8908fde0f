"""The widget's actions: "marked in Seller Central" and Amazon's "Request a Review"."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import responses
import respx
from flask.testing import FlaskClient
from redis import Redis
from sidebar_case import (
    CONVERSATION_ID,
    CONVERSATION_URL,
    NOW,
    ORDER_ID,
    ORDER_URL,
    SOLICITATIONS_URL,
    SidebarCaller,
)
from sqlalchemy.orm import Session
from test_sidebar_app import session_token

from helpscout_app.amazon.orders import order_cache_key, review_requested_key
from helpscout_app.reconciliation.clock import conversation_clock
from helpscout_app.settings import Settings
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import Conversation
from helpscout_app.web.sidebar_session import HEADER, SidebarSession, mint_session

MESSAGE_AT = NOW - timedelta(hours=3)
"""The stored buyer message's time (`store_conversation`)."""


def token_for(settings: Settings, **values: object) -> str:
    session = SidebarSession(**{"conversation_id": CONVERSATION_ID, **values})  # type: ignore[arg-type]
    return mint_session(settings.helpscout_sidebar_secret, session)  # type: ignore[arg-type]


def test_marked_in_seller_central_records_it_and_tags_the_conversation(
    client: FlaskClient,
    settings: Settings,
    store_conversation: Callable[..., None],
    store_session: Session,
    helpscout_api: responses.RequestsMock,
) -> None:
    store_conversation(status="closed")
    helpscout_api.get(CONVERSATION_URL, json={"id": CONVERSATION_ID, "tags": [{"tag": "amazon"}]})
    put = helpscout_api.put(f"{CONVERSATION_URL}/tags", status=204)

    response = client.post(
        "/sidebar/nrn-done",
        data={"session": token_for(settings, user_name="Sam Agent", waiting_since=MESSAGE_AT)},
    )

    assert response.status_code == 200
    assert "Recorded" in response.get_data(as_text=True)
    assert json.loads(put.calls[0].request.body) == {"tags": ["amazon", "nrn-done"]}
    conversation = store_session.get(Conversation, CONVERSATION_ID, populate_existing=True)
    assert conversation is not None
    assert conversation.nrn_marked_at == MESSAGE_AT and conversation.nrn_marked_by == "Sam Agent"
    assert conversation.waiting_since is None
    assert "nrn-done" in conversation.tags


def test_the_iframe_gets_json(
    client: FlaskClient,
    settings: Settings,
    store_conversation: Callable[..., None],
    helpscout_api: responses.RequestsMock,
) -> None:
    store_conversation(status="closed")
    helpscout_api.get(CONVERSATION_URL, json={"id": CONVERSATION_ID, "tags": []})
    helpscout_api.put(f"{CONVERSATION_URL}/tags", status=204)

    response = client.post(
        "/sidebar/nrn-done",
        json={},
        headers={HEADER: token_for(settings, waiting_since=MESSAGE_AT)},
    )

    assert response.get_json() == {
        "ok": True,
        "message": 'Recorded: "No response needed" marked in Seller Central; conversation '
        "tagged nrn-done.",
    }


def test_a_tag_help_scout_refused_is_reported(
    client: FlaskClient,
    settings: Settings,
    store_conversation: Callable[..., None],
    helpscout_api: responses.RequestsMock,
) -> None:
    store_conversation(status="closed")
    helpscout_api.get(CONVERSATION_URL, status=503)
    token = token_for(settings, waiting_since=MESSAGE_AT)

    response = client.post("/sidebar/nrn-done", json={}, headers={HEADER: token})

    assert response.status_code == 502
    assert "did not take the nrn-done tag" in response.get_json()["message"]

    helpscout_api.replace(responses.GET, CONVERSATION_URL, json={"id": CONVERSATION_ID, "tags": []})
    put = helpscout_api.put(f"{CONVERSATION_URL}/tags", status=204)
    retried = client.post("/sidebar/nrn-done", json={}, headers={HEADER: token})

    assert retried.status_code == 200 and put.call_count == 1
    assert "Already recorded" in retried.get_json()["message"]


def test_a_message_that_arrived_after_the_page_loaded_keeps_its_clock(
    sidebar: SidebarCaller,
    waiting_with_draft: None,
    store_session: Session,
    helpscout_api: responses.RequestsMock,
) -> None:
    """A stale page marks only the message it showed: the buyer's next message, which nobody
    saw before clicking, is still waiting afterwards, with its own deadline."""
    page = sidebar.app().get_data(as_text=True)
    later = NOW - timedelta(minutes=20)
    upsert_thread(
        store_session,
        8812004999,
        CONVERSATION_ID,
        thread_type="customer",
        state="published",
        created_by_kind="customer",
        created_at=later,
    )
    store_session.commit()
    helpscout_api.put(f"{CONVERSATION_URL}/tags", status=204)

    response = sidebar.client.post(
        "/sidebar/nrn-done", json={}, headers={HEADER: session_token(page)}
    )

    assert response.status_code == 200
    conversation = store_session.get(Conversation, CONVERSATION_ID, populate_existing=True)
    assert conversation is not None and conversation.nrn_marked_at == MESSAGE_AT
    clock = conversation_clock(store_session, CONVERSATION_ID, now=NOW)
    assert clock is not None and clock.waiting_since == later


def test_marking_when_the_page_showed_nothing_waiting_is_a_409(
    client: FlaskClient,
    settings: Settings,
    store_conversation: Callable[..., None],
    store_session: Session,
    helpscout_api: responses.RequestsMock,
) -> None:
    store_conversation(status="active")
    put = helpscout_api.put(f"{CONVERSATION_URL}/tags", status=204)

    response = client.post("/sidebar/nrn-done", json={}, headers={HEADER: token_for(settings)})

    assert response.status_code == 409
    assert "Nothing was waiting" in response.get_json()["message"]
    assert put.call_count == 0
    conversation = store_session.get(Conversation, CONVERSATION_ID, populate_existing=True)
    assert conversation is not None and conversation.nrn_marked_at is None


def test_marking_a_message_answered_since_the_page_loaded_is_a_409(
    client: FlaskClient,
    settings: Settings,
    store_conversation: Callable[..., None],
    helpscout_api: responses.RequestsMock,
) -> None:
    store_conversation(status="active", replied=True)
    put = helpscout_api.put(f"{CONVERSATION_URL}/tags", status=204)
    token = token_for(settings, waiting_since=MESSAGE_AT)

    response = client.post("/sidebar/nrn-done", json={}, headers={HEADER: token})

    assert response.status_code == 409
    assert "no longer waiting" in response.get_json()["message"]
    assert put.call_count == 0


def test_actions_need_a_session(client: FlaskClient) -> None:
    assert client.post("/sidebar/nrn-done", data={}).status_code == 401
    assert client.post("/sidebar/request-review", data={"order_id": ORDER_ID}).status_code == 401


def test_request_a_review_is_sent_once(
    client: FlaskClient,
    settings: Settings,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
) -> None:
    sp_api.get(SOLICITATIONS_URL).respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.json")
    )
    send = sp_api.post(f"{SOLICITATIONS_URL}/solicitations/productReviewAndSellerFeedback")
    send.respond(201, json={})
    token = token_for(settings, order_ids=(ORDER_ID,))

    first = client.post("/sidebar/request-review", data={"session": token, "order_id": ORDER_ID})
    second = client.post("/sidebar/request-review", data={"session": token, "order_id": ORDER_ID})

    assert first.status_code == second.status_code == 200
    assert "review request is sent" in first.get_data(as_text=True)
    assert "feedback" not in first.get_data(as_text=True).casefold()
    assert send.call_count == 1
    assert redis_conn.exists(review_requested_key(ORDER_ID))


def test_request_a_review_outside_the_window_is_a_409(
    client: FlaskClient,
    settings: Settings,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
) -> None:
    sp_api.get(SOLICITATIONS_URL).respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.none.json")
    )

    response = client.post(
        "/sidebar/request-review",
        json={"order_id": ORDER_ID},
        headers={HEADER: token_for(settings, order_ids=(ORDER_ID,))},
    )

    assert response.status_code == 409
    assert response.get_json()["ok"] is False


def test_request_a_review_only_for_an_order_the_page_showed(
    client: FlaskClient, settings: Settings
) -> None:
    response = client.post(
        "/sidebar/request-review",
        json={"order_id": "111-0000000-0000000"},
        headers={HEADER: token_for(settings, order_ids=(ORDER_ID,))},
    )

    assert response.status_code == 403


def test_request_a_review_asks_the_buyers_marketplace_after_the_order_cache_expired(
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    store_session: Session,
    conversation_answers: Callable[[str], None],
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
) -> None:
    """A German buyer: the click comes after the 15-minute order cache expired, and Amazon must
    still be asked in amazon.de's marketplace, not the US one."""
    germany = "A1PA6795UKMFR9"
    store_conversation()
    upsert_conversation(store_session, CONVERSATION_ID, marketplace=germany)
    store_session.commit()
    conversation_answers("get_conversation.happy-buyer.json")
    order = json.loads(load_fixture("amazon/sp_api/get_order.json"))
    order["payload"]["MarketplaceId"] = germany
    sp_api.get(ORDER_URL).respond(200, json=order)
    sp_api.get(f"{ORDER_URL}/orderItems").respond(
        200, content=load_fixture("amazon/sp_api/get_order_items.json")
    )
    actions = sp_api.get(SOLICITATIONS_URL).respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.json")
    )
    send = sp_api.post(f"{SOLICITATIONS_URL}/solicitations/productReviewAndSellerFeedback")
    send.respond(201, json={})
    page = sidebar.app().get_data(as_text=True)
    assert f"Request a Review for {ORDER_ID}" in page
    redis_conn.delete(order_cache_key(ORDER_ID))  # the order cache expired

    response = sidebar.client.post(
        "/sidebar/request-review",
        json={"order_id": ORDER_ID},
        headers={HEADER: session_token(page)},
    )

    assert response.status_code == 200, response.get_json()
    asked = [call.request.url.params.get("marketplaceIds") for call in actions.calls]
    # The library puts a POST's marketplaceIds in the JSON body.
    sent = [json.loads(call.request.content)["marketplaceIds"] for call in send.calls]
    assert asked == [germany, germany] and sent == [[germany]]
