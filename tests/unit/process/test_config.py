"""Configuration: every setting, every problem named at once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

REQUIRED = {
    "slack_signing_secret": "s3cret",
    "slack_bot_token": "xoxb-1",
    "stripe_secret_key": "sk_test_1",
    "stripe_client_id": "ca_1",
    "public_url": "https://bot.example.org/",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No .env and none of our variables from the machine running the tests."""
    monkeypatch.chdir(tmp_path)
    for name in [*REQUIRED, "admin_user_ids", "operator_user_ids", "database_url", "port"]:
        monkeypatch.delenv(name.upper(), raising=False)


def test_defaults_match_the_product_contract() -> None:
    s = load_settings(**REQUIRED)
    assert s.public_url == "https://bot.example.org"
    assert s.database_url == "sqlite+aiosqlite:///./connectbot.db"
    assert (s.host, s.port) == ("0.0.0.0", 3000)
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.default_currency == "usd"
    assert (s.application_fee_percent, s.application_fee_fixed) == (Decimal(10), 0)
    assert (s.max_charge_amount, s.approval_threshold) == (1_000_000, None)
    assert (str(s.digest_time), s.digest_tz) == ("09:00:00", "UTC")
    assert s.connect_onboarding == "oauth"
    assert s.admin_user_ids == [] and s.livemode is False


def test_every_missing_setting_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings()
    names = " ".join(caught.value.problems)
    for name in REQUIRED:
        assert name.upper() in names


def test_malformed_settings_are_each_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("ADMIN_USER_IDS", "U01ADMIN, not-a-user")
    bad = {
        **REQUIRED,
        "stripe_secret_key": "pk_test_1",
        "stripe_client_id": "client",
        "default_currency": "dollars",
        "digest_tz": "Mars/Olympus",
        "connect_onboarding": "email",
        "application_fee_percent": "150",
    }
    with pytest.raises(ConfigError) as caught:
        load_settings(**bad)
    text = caught.value.render()
    for name in [
        "PORT",
        "ADMIN_USER_IDS",
        "STRIPE_SECRET_KEY",
        "STRIPE_CLIENT_ID",
        "DEFAULT_CURRENCY",
        "DIGEST_TZ",
        "CONNECT_ONBOARDING",
        "APPLICATION_FEE_PERCENT",
    ]:
        assert name in text
    assert "not-a-user" in text


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nOPS_CHANNEL_ID=C0OPS\n")
    monkeypatch.setenv("OPERATOR_USER_IDS", "U0OP1 U0OP2")
    s = load_settings(**{k: v for k, v in REQUIRED.items() if k != "slack_bot_token"})
    assert s.slack_bot_token == "xoxb-from-dotenv"
    assert s.ops_channel_id == "C0OPS"
    assert s.operator_user_ids == ["U0OP1", "U0OP2"]
