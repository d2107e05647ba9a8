"""The one place that reads connectbot's configuration.

Settings come from the environment and from `.env` in the working directory. `load_settings()`
either returns a complete, validated `Settings` or raises `ConfigError` whose message names every
problem at once, so an operator fixes their environment in one pass.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./connectbot.db"

_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def _split_ids(value: Any) -> Any:
    """Accept `U1,U2`, `U1 U2` or a list; an empty string means nobody."""
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value.strip()) if part]
    return value


S = TypeVar("S", bound=BaseSettings)

IdList = Annotated[list[str], NoDecode, BeforeValidator(_split_ids)]


class ConfigError(Exception):
    """Configuration is missing or malformed; `problems` has one line per setting."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))

    def render(self) -> str:
        lines = ["connectbot cannot start: the configuration has problems:"]
        lines += [f"  - {p}" for p in self.problems]
        lines.append("Set them in the environment or in .env (see README.md, Configuration).")
        return "\n".join(lines)


class _FromEnvironment(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )


class DatabaseSettings(_FromEnvironment):
    """What `connectbot db …` needs: only the database."""

    database_url: str = DEFAULT_DATABASE_URL


class PublicSettings(_FromEnvironment):
    """What `connectbot manifest` needs: only the public address."""

    public_url: str = Field(min_length=1)

    @field_validator("public_url")
    @classmethod
    def _public_http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")


class Settings(DatabaseSettings, PublicSettings):
    """Every setting in README's configuration table; field names are the environment names,
    lowercased."""

    slack_signing_secret: str = Field(min_length=1)
    slack_bot_token: str = Field(min_length=1)
    slack_team_id: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    stripe_secret_key: str = Field(min_length=1)
    stripe_client_id: str = Field(min_length=1)
    stripe_webhook_secret: str | None = None
    stripe_connect_webhook_secret: str | None = None
    stripe_api_base: str = "https://api.stripe.com"
    stripe_connect_base: str = "https://connect.stripe.com"

    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)

    admin_user_ids: IdList = Field(default_factory=list)
    operator_user_ids: IdList = Field(default_factory=list)
    ops_channel_id: str | None = None

    default_currency: str = "usd"
    application_fee_percent: Decimal = Field(default=Decimal(10), ge=0, lt=100)
    application_fee_fixed: int = Field(default=0, ge=0)
    max_charge_amount: int = Field(default=1_000_000, gt=0)
    approval_threshold: int | None = Field(default=None, gt=0)

    digest_time: time = time(9, 0)
    digest_tz: str = "UTC"
    connect_onboarding: Literal["oauth", "account_links"] = "oauth"

    @field_validator("slack_api_url", "stripe_api_base", "stripe_connect_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("stripe_api_base", "stripe_connect_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("admin_user_ids", "operator_user_ids")
    @classmethod
    def _slack_user_ids(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not _SLACK_ID.match(v)]
        if bad:
            raise ValueError(f"not Slack user ids: {', '.join(bad)}")
        return value

    @field_validator("default_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError("must be a three-letter currency code")
        return value.lower()

    @field_validator("stripe_secret_key")
    @classmethod
    def _secret_key(cls, value: str) -> str:
        if not value.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
            raise ValueError("must be a Stripe secret key (sk_test_… or sk_live_…)")
        return value

    @field_validator("stripe_client_id")
    @classmethod
    def _client_id(cls, value: str) -> str:
        if not value.startswith("ca_"):
            raise ValueError("must be a Connect client id (ca_…)")
        return value

    @field_validator("digest_tz")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def livemode(self) -> bool:
        """True when the platform key is a live key: test-mode events are then refused."""
        return "_live_" in self.stripe_secret_key

    @property
    def webhook_secrets(self) -> list[str]:
        return [s for s in (self.stripe_webhook_secret, self.stripe_connect_webhook_secret) if s]


def load_settings(**overrides: Any) -> Settings:
    """Read and validate every setting; raise `ConfigError` naming each problem.

    `overrides` replace environment values (used by `connectbot sandbox` and tests).
    """
    return load(Settings, **overrides)


def load(kind: type[S], **overrides: Any) -> S:
    """Read one settings class (`Settings`, `DatabaseSettings`, `PublicSettings`)."""
    try:
        return kind(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(err) for err in exc.errors()]) from None


def _describe(err: Any) -> str:
    name = str(err["loc"][0]).upper() if err.get("loc") else "configuration"
    if err.get("type") == "missing":
        return f"{name} is required"
    message = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
    return f"{name}: {message}"
