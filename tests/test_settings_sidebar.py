"""The settings of the sidebar, orders and dashboard block: each fails at start, named."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpscout_app.settings import ConfigurationError, load_settings


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"SP_API_ENDPOINT": "ftp://sp"}, "SP_API_ENDPOINT: must be an http:// or https:// URL"),
        ({"PUBLIC_URL": "amz-guard.example.com"}, "PUBLIC_URL: must be an http:// or https://"),
        ({"PUBLIC_URL": "https://a.example?x=1"}, "PUBLIC_URL: must be a plain base URL"),
        ({"SP_API_TIMEOUT_S": "0"}, "SP_API_TIMEOUT_S: must be a number of seconds"),
        ({"SP_API_BUDGET_S": "-1"}, "SP_API_BUDGET_S: must be a number of seconds"),
        ({"ORDER_CACHE_TTL_S": "-5"}, "ORDER_CACHE_TTL_S: must be a positive whole number"),
        ({"DASHBOARD_TOKEN": " "}, "DASHBOARD_TOKEN: is set but empty"),
        ({"DASHBOARD_USERNAME": "boss"}, "DASHBOARD_PASSWORD: required when DASHBOARD_USERNAME"),
        ({"REFUND_TEMPLATE": "Refund $amount for $buyer"}, "REFUND_TEMPLATE: names buyer; only"),
    ],
)
def test_a_wrong_setting_is_named(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    message: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as raised:
        load_settings()

    assert str(raised.value).startswith(message)


def test_defaults(clean_environment: Path) -> None:
    settings = load_settings()

    assert settings.sp_api_endpoint is None
    assert settings.order_cache_ttl_s == 900
    assert settings.sp_api_budget_s == 1.0
    assert settings.dashboard_token is None
    assert "$product" in settings.refund_template


def test_public_url_loses_its_trailing_slash(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://amz-guard.example.com/")

    assert load_settings().public_url == "https://amz-guard.example.com"
