"""The Connect OAuth link is built as Stripe's Connect OAuth reference says (pure)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.stripe_ops.oauth import authorize_url
from tests.harness import make_settings


def test_the_link_carries_every_parameter_and_escapes_the_email() -> None:
    settings = make_settings(
        "sqlite+aiosqlite:///x.db", "https://bot.example", "http://s/api/", "https://c.example"
    )
    url = authorize_url(settings, state="s t&ate", email="a+b@example.com")
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("c.example", "/oauth/authorize")
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["ca_connectbot"],
        "scope": ["read_write"],
        "redirect_uri": ["https://bot.example/stripe/oauth/callback"],
        "state": ["s t&ate"],
        "stripe_user[email]": ["a+b@example.com"],
    }
    assert "stripe_user" not in authorize_url(settings, state="x", email=None)
