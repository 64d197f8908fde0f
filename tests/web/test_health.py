"""The liveness and readiness endpoints, and the app factory that serves them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpscout_app import create_app
from helpscout_app.settings import ConfigurationError, Settings
from helpscout_app.store.migrate import head_revision


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


# --- readiness ---------------------------------------------------------------------------------

CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:1/0"
"""Nothing listens on port 1: connecting is refused at once."""


def test_readyz_is_ready_when_redis_answers_and_the_database_is_migrated(
    client: FlaskClient, store_session: Session
) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"redis": {"ok": True}, "database": {"ok": True}, "migrations": {"ok": True}},
    }


def test_readyz_reports_a_database_not_migrated(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["redis"] == {"ok": True}
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {
        "ok": False,
        "reason": f"the database is at revision none, the newest is {head_revision()}; "
        "run `amz-guard db upgrade`",
    }


def test_readyz_reports_redis_unreachable(settings: Settings, store_session: Session) -> None:
    unreachable = settings.model_copy(update={"redis_url": CLOSED_PORT_REDIS_URL})
    client = create_app(unreachable).test_client()

    response = client.get("/readyz")

    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["redis"] == {
        "ok": False,
        "reason": "Redis does not answer at REDIS_URL (ConnectionError)",
    }
    assert checks["database"] == checks["migrations"] == {"ok": True}


def test_readyz_reports_a_database_that_does_not_answer(settings: Settings) -> None:
    # A PostgreSQL URL on a closed port: refused at once; the password is never shown.
    down = settings.model_copy(update={"database_url": "postgresql://amz:hunter22@127.0.0.1:1/amz"})

    response = create_app(down).test_client().get("/readyz")

    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] is False
    assert checks["database"]["reason"].startswith(
        "cannot connect to postgresql+psycopg://amz:***@"
    )
    assert checks["database"]["reason"].endswith("; check DATABASE_URL")
    assert checks["migrations"] == {
        "ok": False,
        "reason": "not checked: the database does not answer",
    }
    assert "hunter22" not in response.get_data(as_text=True)


def test_readyz_only_answers_get(client: FlaskClient) -> None:
    assert client.post("/readyz").status_code == 405
