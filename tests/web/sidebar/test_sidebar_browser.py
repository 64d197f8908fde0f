"""The iframe page in a real headless Chromium: what an agent sees, and the "check this text"
box working end to end. A screenshot goes to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sidebar_case import SidebarCaller


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
