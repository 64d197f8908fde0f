"""Settings for these tests point REDIS_URL at the test session's own Redis database; the
browser tests get a headless Chromium (`browser`) and the app served on 127.0.0.1
(`live_server`)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from redis import Redis
from werkzeug.serving import make_server

from helpscout_app.settings import Settings

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver


@pytest.fixture
def settings(settings: Settings, redis_test_url: str, redis_conn: Redis) -> Settings:
    """The test settings with `REDIS_URL` on the test database (emptied around each test)."""
    return settings.model_copy(update={"redis_url": redis_test_url})


# --- Real headless Chromium (the sidebar page and the dashboard as a person sees them) ----------

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
"""Screenshots the browser tests write (git-ignored), to look at after a run."""


def _chromium_paths() -> tuple[str, str] | None:
    """Debian's chromium and chromedriver (scripts/setup installs both), or None."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Headless Chromium through selenium and Debian's chromedriver; nothing is downloaded.

    Skips when chromium is not installed (scripts/setup installs it; CI runs it).
    """
    paths = _chromium_paths()
    if paths is None:
        pytest.skip("chromium and chromedriver are not installed (scripts/setup installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for argument in (
        "--headless=new",
        "--no-sandbox",  # runs as root in CI
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1200,1400",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=paths[1]), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


class LiveServer:
    """The test app served over HTTP on 127.0.0.1 from a thread, for the browser to load."""

    def __init__(self, app: Flask) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.close()


@pytest.fixture
def screenshot(browser: WebDriver) -> Callable[[str], Path]:
    """`screenshot(name)` writes what the browser shows to test-artifacts/NAME.png."""

    def save(name: str) -> Path:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        path = ARTIFACTS_DIR / f"{name}.png"
        assert browser.save_screenshot(str(path)), f"no screenshot written to {path}"
        return path

    return save
