"""The dashboard in a real headless Chromium, with scripts on and off: a manager reads the
same figures either way, and the chart is drawn. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from dashboard_case import NOW, TOKEN
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from helpscout_app.web.dashboard import CLOCK


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts on", "scripts off"])
def test_a_manager_reads_the_dashboard(
    browser: WebDriver,
    live_server,
    screenshot: Callable[[str], Path],
    team_week: None,
    scripts: bool,
) -> None:
    if not scripts:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})

    browser.get(f"{live_server.url}/dashboard?token={TOKEN}")

    page = browser.find_element(By.TAG_NAME, "body").text
    assert "Open Amazon conversations 2" in page
    assert page.index("Lid cracked") < page.index("Where is my parcel?")
    assert "Breached overdue by 2 h 0 min" in page and "19 h 0 min left" in page
    assert "Messages missing from Help Scout 1" in page
    assert "114-7654321-1234567 Robin Question about the warranty" in page
    assert "Compliance incidents by agent and week 4" in page
    assert "Sam Agent 1 1 2" in page
    assert "2 answered · median" in page and "2 over 24 h" in page
    chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 100
    assert len(chart.find_elements(By.TAG_NAME, "circle")) == 4
    assert chart.find_element(By.CSS_SELECTOR, "text.limit-label").text == "24 h"
    path = screenshot("dashboard" if scripts else "dashboard-no-scripts")
    assert path.stat().st_size > 10_000


def test_a_deadline_passing_while_the_page_is_open_turns_the_row_to_breached(
    app: Flask, browser: WebDriver, live_server, team_week: None
) -> None:
    """The waiting conversation (due 19 h after NOW) seen 4 s before its deadline: the
    countdown runs from the server's time, so it breaches on the page a few seconds later."""
    app.config[CLOCK] = lambda: NOW + timedelta(hours=19, seconds=-4)

    browser.get(f"{live_server.url}/dashboard?token={TOKEN}")

    row = browser.find_element(By.XPATH, "//tr[contains(., 'Where is my parcel?')]")
    assert "< 1 min left" in row.text and "Breached" not in row.text
    WebDriverWait(browser, 20).until(lambda _: "overdue by" in row.text)
    assert row.text.startswith("Breached overdue by < 1 min") and "left" not in row.text
    assert "breached" in (row.get_attribute("class") or "").split()
