"""/dashboard: who may see it, and what a manager reads there without any script running."""

from __future__ import annotations

import base64
import re

import pytest
from dashboard_case import NOW, TOKEN
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.settings import Settings
from helpscout_app.store.conversations import upsert_conversation
from helpscout_app.store.models import AmazonNotification, ComplianceIncident


def basic(username: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def text_of(html: str) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (f"/dashboard?token={TOKEN}", {}),
        ("/dashboard", {"Authorization": f"Bearer {TOKEN}"}),
        ("/dashboard", basic("manager", "dash-password")),
    ],
    ids=["token parameter", "bearer token", "basic auth"],
)
def test_a_manager_gets_in(client: FlaskClient, url: str, headers: dict[str, str]) -> None:
    response = client.get(url, headers=headers)

    assert response.status_code == 200
    assert "Open Amazon conversations" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/dashboard", {}),
        ("/dashboard?token=wrong", {}),
        ("/dashboard?token=", {}),
        ("/dashboard", {"Authorization": "Bearer wrong"}),
        ("/dashboard", basic("manager", "wrong")),
        ("/dashboard", basic("someone", "dash-password")),
    ],
)
def test_anyone_else_is_asked_to_sign_in(
    client: FlaskClient, url: str, headers: dict[str, str]
) -> None:
    response = client.get(url, headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert "Open Amazon" not in response.get_data(as_text=True)


def test_with_no_login_configured_the_dashboard_is_off(
    app: Flask, settings: Settings, client: FlaskClient
) -> None:
    app.config["SETTINGS"] = settings.model_copy(
        update={"dashboard_token": None, "dashboard_username": None, "dashboard_password": None}
    )

    response = client.get("/dashboard?token=anything")

    assert response.status_code == 503
    assert "DASHBOARD_TOKEN" in response.get_data(as_text=True)


def test_open_conversations_are_listed_by_deadline_with_time_left(
    client: FlaskClient, team_week: None
) -> None:
    html = client.get(f"/dashboard?token={TOKEN}").get_data(as_text=True)
    section = text_of(html.split('id="open"')[1].split("</section>")[0])

    assert section.index("#10001") < section.index("#10002")  # breached first
    assert "Breached overdue by 2 h 0 min" in section and "Lid cracked" in section
    assert "19 h 0 min left" in section and "Where is my parcel?" in section
    assert "Thanks!" not in section and "Manual?" not in section  # answered
    assert 'data-due="2026-11-26T10:00:00+00:00"' in html


def test_missing_messages_are_listed(client: FlaskClient, team_week: None) -> None:
    html = client.get(f"/dashboard?token={TOKEN}").get_data(as_text=True)
    section = text_of(html.split('id="missing"')[1].split("</section>")[0])

    assert "2026-11-26 10:00 UTC 114-7654321-1234567 Robin Question about the warranty" in section


def test_incidents_are_counted_by_agent_and_week(client: FlaskClient, team_week: None) -> None:
    html = client.get(f"/dashboard?token={TOKEN}&days=14").get_data(as_text=True)
    section = text_of(html.split('id="incidents"')[1].split("</section>")[0])

    assert "Week of 2026-11-09 Week of 2026-11-16 Week of 2026-11-23 Total" in section
    assert "Sam Agent 1 1 2" in section
    assert "Kim Agent 1 1" in section and "(unknown agent) 1 1" in section


def test_response_times_are_charted_against_the_24_hour_line(
    client: FlaskClient, team_week: None
) -> None:
    html = client.get(f"/dashboard?token={TOKEN}").get_data(as_text=True)
    chart = html.split('id="response-times"')[1].split("</section>")[0]

    assert "2 answered" in text_of(chart) and "2 over 24 h" in text_of(chart)
    assert "2 still waiting" in text_of(chart)
    assert '<line class="limit"' in chart and ">24 h</text>" in chart
    assert chart.count("<circle") == 4
    assert "30.0 h" in chart and "2.0 h" in chart


def test_hostile_text_in_the_store_stays_text(
    client: FlaskClient, store_session: Session, team_week: None
) -> None:
    upsert_conversation(
        store_session,
        3120410001,
        subject='<script>alert("s")</script>',
        order_ids=['"><img src=x onerror=alert("o")>'],
    )
    incident = store_session.scalars(select(ComplianceIncident)).first()
    assert incident is not None
    incident.agent_name = "<b onmouseover=alert('agent')>Sam</b>"
    store_session.add(
        AmazonNotification(
            message_id="<xss@amazon.test>",
            kind="buyer_message",
            buyer_name='<img src=x onerror=alert("b")>',
            subject="</td><script>alert(1)</script>",
            received_at=NOW,
        )
    )
    store_session.commit()

    html = client.get(f"/dashboard?token={TOKEN}&days=7").get_data(as_text=True)

    assert "<script>alert" not in html and "<img src=x" not in html and "<b " not in html
    assert "&lt;script&gt;alert(&#34;s&#34;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "days",
    ["365", "0", "abc", "%C2%B2", "%D9%A1%D9%A4", "%EF%BC%91"],
    ids=["too many", "zero", "letters", "superscript two", "arabic-indic 14", "fullwidth one"],
)
def test_a_bad_period_is_a_400(client: FlaskClient, days: str) -> None:
    """Unicode digits pass str.isdigit(); "²" then broke int() with a 500."""
    response = client.get(f"/dashboard?token={TOKEN}&days={days}")

    assert response.status_code == 400
    assert "days must be a whole number from 1 to 90" in response.get_data(as_text=True)


def test_the_page_needs_nothing_from_elsewhere(client: FlaskClient, team_week: None) -> None:
    response = client.get(f"/dashboard?token={TOKEN}")
    html = response.get_data(as_text=True)

    assert re.findall(r'(?:src|href)="(https?:)?//', html.split("<body>")[0]) == []
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
