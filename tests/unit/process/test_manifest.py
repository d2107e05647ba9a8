"""app.yaml declares exactly the commands connectbot serves, each escaped and routed to Bolt."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.commands.catalog import COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[3] / "app.yaml").read_text())
PLACEHOLDER_EVENTS = "https://connectbot.example.com/slack/events"


def test_every_product_command_is_declared_escaped_and_routed() -> None:
    declared = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    assert set(declared) == {spec.name for spec in COMMANDS}
    for spec in COMMANDS:
        entry = declared[spec.name]
        assert entry["url"] == PLACEHOLDER_EVENTS
        assert entry["should_escape"] is True
        assert entry["description"] == spec.description
        assert entry["usage_hint"] == spec.usage_hint


def test_interactivity_events_and_app_home() -> None:
    settings = MANIFEST["settings"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": PLACEHOLDER_EVENTS}
    assert settings["event_subscriptions"]["request_url"] == PLACEHOLDER_EVENTS
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_only_the_bot_scopes_the_features_need() -> None:
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "chat:write.public",
        "files:write",  # /fees … csv shares the export as a file
        "im:write",
        "users:read",
        "users:read.email",
    }
    assert "user" not in MANIFEST["oauth_config"]["scopes"]
