"""The iframe page in a real headless Chromium: what an agent sees, and the "check this text"
box working end to end. A screenshot goes to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sidebar_case import CONVERSATION_ID, ORDER_ID, RELAY, SidebarCaller
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import AMAZON_RESPONSE_TIME
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.web.sidebar import CLOCK


def test_an_agent_sees_the_sidebar_and_checks_a_draft(
    browser: WebDriver,
    live_server,
    screenshot: Callable[[str], Path],
    sidebar: SidebarCaller,
    waiting_with_draft: None,
) -> None:
    browser.set_window_size(420, 1600)  # about the width of Help Scout's sidebar

    browser.get(live_server.url + sidebar.app_url())

    page = browser.find_element(By.TAG_NAME, "body").text
    assert "Amazon buyer · United States (amazon.com)" in page
    assert "Waiting since 2026-11-20 09:14 UTC" in page
    assert "21 h 0 min left" in page
    assert "Blocked" in page and "(555) 201-4477" in page
    assert "112-4839201-5512347 · Shipped" in page
    assert "Fulfilled by Amazon (AFN)" in page
    assert "1 × Gooseneck Pour-Over Kettle, 1.2 L, Matte Black ASIN B0C7XK2QZ1" in page
    assert "Product problem: resolve it now" in page

    browser.find_element(By.ID, "check-text").send_keys(
        "Happy to help! Email me at jo.smith@example.com or call 555 201 4477."
    )
    browser.find_element(By.ID, "check-button").click()
    WebDriverWait(browser, 10).until(
        lambda driver: driver.find_element(By.ID, "check-result").is_displayed()
    )

    assert browser.find_element(By.ID, "check-verdict").text == "Blocked 2 finding(s)"
    marks = [
        mark.text for mark in browser.find_elements(By.CSS_SELECTOR, "#check-highlighted mark")
    ]
    assert marks == ["jo.smith@example.com", "555 201 4477"]
    redacted = browser.find_element(By.ID, "check-redacted").text
    assert "jo.smith@example.com" not in redacted and "4477" not in redacted
    assert redacted.startswith("Happy to help!")
    path = screenshot("sidebar-app")
    assert path.stat().st_size > 10_000


def test_the_countdown_turns_to_overdue_when_the_deadline_passes(
    app: Flask,
    browser: WebDriver,
    live_server,
    screenshot: Callable[[str], Path],
    sidebar: SidebarCaller,
    store_session: Session,
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
) -> None:
    """A deadline a few seconds after the page loads: the open page must not count back up
    and keep saying "left" under a "Waiting" badge."""
    real_now = datetime.now(UTC)
    app.config[CLOCK] = lambda: datetime.now(UTC)
    upsert_conversation(
        store_session,
        CONVERSATION_ID,
        mailbox_id=101,
        status="active",
        customer_email=RELAY,
        relay_base_address=RELAY,
        is_amazon=True,
        order_ids=[ORDER_ID],
    )
    upsert_thread(
        store_session,
        8812004503,
        CONVERSATION_ID,
        thread_type="customer",
        state="published",
        created_by_kind="customer",
        created_at=real_now - AMAZON_RESPONSE_TIME + timedelta(seconds=4),
    )
    store_session.commit()
    conversation_answers("get_conversation.with-draft.json")
    order_answers()

    browser.get(live_server.url + sidebar.app_url())

    clock = browser.find_element(By.CSS_SELECTOR, ".amzg-clock")
    assert "Waiting" in clock.text and "< 1 min left" in clock.text
    WebDriverWait(browser, 20).until(lambda _: "overdue by" in clock.text)
    assert "Breached" in clock.text and "Waiting since" not in clock.text
    assert "left" not in clock.text
    assert "overdue by < 1 min" in clock.text
    screenshot("sidebar-countdown-overdue")


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        # Refused before it leaves the page (as mixed content is): no answer at all.
        ("http://127.0.0.1:9/sidebar/nrn-done", "could not be reached"),
        # A proxy's HTML error page instead of our JSON.
        ("/sidebar/static/sidebar.css", "without a readable reply"),
    ],
    ids=["no answer", "not JSON"],
)
def test_a_failed_action_says_so_and_keeps_the_button(
    browser: WebDriver,
    live_server,
    sidebar: SidebarCaller,
    store_conversation: Callable[..., None],
    conversation_answers: Callable[[str], None],
    order_answers: Callable[..., None],
    action: str,
    expected: str,
) -> None:
    store_conversation(status="closed")
    conversation_answers("get_conversation.with-draft.json")
    order_answers()
    browser.get(live_server.url + sidebar.app_url())
    form = browser.find_element(By.CSS_SELECTOR, "form[data-amzg-action]")
    browser.execute_script("arguments[0].action = arguments[1]", form, action)

    form.find_element(By.TAG_NAME, "button").click()

    note = WebDriverWait(browser, 10).until(
        lambda driver: driver.find_element(By.CSS_SELECTOR, "[data-amzg-error]")
    )
    assert expected in note.text
    assert form.find_element(By.TAG_NAME, "button").is_enabled()
