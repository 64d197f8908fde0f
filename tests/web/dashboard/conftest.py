"""Dashboard fixtures: a token and a basic-auth login, the time pinned, and a store holding a
breached, a waiting and an answered Amazon conversation, a missing message and incidents."""

from __future__ import annotations

import pytest
from dashboard_case import NOW, store_team_week
from flask import Flask
from pydantic import SecretStr
from sqlalchemy.orm import Session

from helpscout_app.settings import Settings
from helpscout_app.web.dashboard import CLOCK


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "dashboard_token": SecretStr("dash-token"),
            "dashboard_username": "manager",
            "dashboard_password": SecretStr("dash-password"),
        }
    )


@pytest.fixture
def app(app: Flask, store_session: Session) -> Flask:
    app.config[CLOCK] = lambda: NOW
    return app


@pytest.fixture
def team_week(store_session: Session) -> None:
    store_team_week(store_session)
