"""Shared fixtures: settings built explicitly per test, the app and client made from them, and
`load_fixture` for the recorded files under tests/fixtures/ (described in its README.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpscout_app import create_app
from helpscout_app.settings import Settings

FIXTURES_DIR = Path(__file__).parent / "fixtures"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Hide the developer's configuration: no setting in the environment, no `.env` in reach.

    Returns the empty working directory the test now runs in.
    """
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


@pytest.fixture
def settings(clean_environment: Path, tmp_path: Path) -> Settings:
    """Settings for one test: temp data directory (so temp SQLite), test secrets, local URLs."""
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        redis_url="redis://127.0.0.1:6379/15",
        helpscout_app_id="test-app-id",
        helpscout_app_secret="test-app-secret",
        helpscout_api_url="http://127.0.0.1:9/v2",
        helpscout_webhook_secret="test-webhook-secret",
        helpscout_sidebar_secret="test-sidebar-secret",
        amazon_mailbox_ids="101,202",
        amazon_notifications_url=f"maildir:{tmp_path / 'maildir'}",
        slack_webhook_url="http://127.0.0.1:9/slack",
    )


@pytest.fixture
def app(settings: Settings) -> Flask:
    """The web app, built from the test settings."""
    app = create_app(settings)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def load_fixture() -> Callable[[str], bytes]:
    """Read a fixture file's bytes exactly as stored, e.g. "helpscout/webhooks/convo.created.json".

    Bytes, not parsed JSON: webhook tests sign exactly these bytes, as Help Scout signs its body.
    """

    def load(relative_path: str) -> bytes:
        return (FIXTURES_DIR / relative_path).read_bytes()

    return load
