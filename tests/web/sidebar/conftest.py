"""Sidebar fixtures: a stored Amazon conversation, Help Scout's API (`responses`) and SP-API
(`respx`) answered from fixture files, the time pinned, and signed sidebar requests.

The stored conversation is the one of the Help Scout fixtures (3120419377, #4187): the buyer's
message at 09:14 on 2026-11-20, so at the pinned `NOW` (12:14) the clock has 21 hours left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import responses
import respx
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr
from sidebar_case import (
    API_URL,
    CONVERSATION_ID,
    CONVERSATION_URL,
    LWA_URL,
    NOW,
    ORDER_ID,
    ORDER_URL,
    RELAY,
    SP_API_URL,
    LoadFixture,
    SidebarCaller,
)
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import refresh_clock
from helpscout_app.settings import Settings
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.web.sidebar import CLOCK


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The web test settings with SP-API credentials and its endpoints at local test hosts."""
    return settings.model_copy(
        update={
            "lwa_app_id": "amzn1.application-oa2-client.test",
            "lwa_client_secret": SecretStr("lwa-test-secret"),
            "sp_api_refresh_token": SecretStr("Atzr|test-refresh"),
            "sp_api_endpoint": SP_API_URL,
            "sp_api_lwa_token_url": LWA_URL,
        }
    )


@pytest.fixture
def app(app: Flask, store_session: Session) -> Flask:
    """The app with its clock pinned at NOW, on a migrated database."""
    app.config[CLOCK] = lambda: NOW
    return app


@pytest.fixture
def helpscout_api(load_fixture: LoadFixture) -> Iterator[responses.RequestsMock]:
    """Help Scout's API; the token endpoint always answers, the rest per test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{API_URL}/oauth2/token",
            body=load_fixture("helpscout/api/oauth_token.json"),
            content_type="application/json",
        )
        yield mock


@pytest.fixture
def conversation_answers(
    helpscout_api: responses.RequestsMock, load_fixture: LoadFixture
) -> Callable[[str], None]:
    """Make Get Conversation answer with a fixture file of helpscout/api/."""

    def answer(name: str) -> None:
        helpscout_api.get(
            CONVERSATION_URL,
            body=load_fixture(f"helpscout/api/{name}"),
            content_type="application/json",
        )

    return answer


@pytest.fixture
def sp_api(load_fixture: LoadFixture) -> Iterator[respx.MockRouter]:
    """SP-API and LWA; every other httpx request fails the test."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(LWA_URL).respond(200, content=load_fixture("amazon/sp_api/lwa_token.json"))
        yield router


@pytest.fixture
def order_answers(sp_api: respx.MockRouter, load_fixture: LoadFixture) -> Callable[..., None]:
    """Make getOrder and getOrderItems answer: `order_answers(items="get_order_items.json")`."""

    def answer(items: str = "get_order_items.json") -> None:
        sp_api.get(ORDER_URL).respond(200, content=load_fixture("amazon/sp_api/get_order.json"))
        sp_api.get(f"{ORDER_URL}/orderItems").respond(
            200, content=load_fixture(f"amazon/sp_api/{items}")
        )

    return answer


@pytest.fixture
def store_conversation(store_session: Session) -> Callable[..., None]:
    """Store the fixtures' conversation as webhooks would, with the buyer's message thread;
    `replied=True` adds the agent's published reply, `status="closed"` closes it."""

    def store(*, replied: bool = False, status: str = "active", **columns: Any) -> None:
        upsert_conversation(
            store_session,
            CONVERSATION_ID,
            number=4187,
            mailbox_id=101,
            status=status,
            customer_email=RELAY,
            relay_base_address=RELAY,
            is_amazon=True,
            subject="Inquiry from Amazon customer Jordan (Order: 112-4839201-5512347)",
            order_ids=[ORDER_ID],
            marketplace="ATVPDKIKX0DER",
            **columns,
        )
        upsert_thread(
            store_session,
            8812004503,
            CONVERSATION_ID,
            thread_type="customer",
            state="published",
            created_by_kind="customer",
            created_at=NOW - timedelta(hours=3),
        )
        if replied:
            upsert_thread(
                store_session,
                8812004511,
                CONVERSATION_ID,
                thread_type="message",
                state="published",
                created_by_kind="user",
                created_by_name="Sam Agent",
                created_at=NOW - timedelta(hours=2),
            )
        refresh_clock(store_session, CONVERSATION_ID, now=NOW)
        store_session.commit()

    return store


@pytest.fixture
def sidebar(client: FlaskClient, settings: Settings, load_fixture: LoadFixture) -> SidebarCaller:
    assert settings.helpscout_sidebar_secret is not None
    return SidebarCaller(client, settings.helpscout_sidebar_secret.get_secret_value(), load_fixture)


@pytest.fixture
def waiting_with_draft(
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    """The stored conversation waiting 3 hours, a draft with a phone number on Help Scout, and
    the order shipped on SP-API: the common case the pages are tested on."""
    store_conversation()
    conversation_answers("get_conversation.with-draft.json")
    order_answers()
