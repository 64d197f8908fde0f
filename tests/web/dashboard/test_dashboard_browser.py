"""The dashboard in a real headless Chromium, with scripts on and off: a manager reads the
same figures either way, and the chart is drawn. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dashboard_case import TOKEN
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver


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
    assert "Breached 2 h 0 min over" in page and "19 h 0 min left" in page
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
