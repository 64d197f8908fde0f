"""The liveness endpoint, and the app factory that serves it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpscout_app import create_app
from helpscout_app.settings import ConfigurationError, Settings


def test_healthz_answers_ok_as_json(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}


def test_healthz_only_answers_get(client: FlaskClient) -> None:
    assert client.post("/healthz").status_code == 405


def test_the_factory_keeps_the_settings_it_is_given(app: Flask, settings: Settings) -> None:
    assert app.config["SETTINGS"] is settings
    assert not create_app(settings).testing


def test_the_factory_reads_the_environment_when_given_no_settings(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENFORCEMENT_MODE", "gate")

    assert create_app().config["SETTINGS"].enforcement_mode == "gate"


def test_the_factory_refuses_a_malformed_environment(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "localhost")

    with pytest.raises(ConfigurationError, match=r"^REDIS_URL: "):
        create_app()
