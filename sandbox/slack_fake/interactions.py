"""Interaction payloads and event envelopes shaped as Slack sends them (pure builders)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from .payloads import element_state, find_element, state_values
from .state import JSON


@dataclass
class Workspace:
    """The team and app a sender speaks for."""

    team_id: str = "T_SANDBOX"
    team_domain: str = "sandbox"
    api_app_id: str = "A_SANDBOX"
    bot_user_id: str = "U_BOT"
    verification_token: str = "sandbox-verification-token"

    def user(self, user_id: str, user_name: str | None) -> JSON:
        name = user_name or f"user_{user_id.lower()}"
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def envelope(
        self, kind: str, user_id: str, user_name: str | None, trigger_id: str | None = None
    ) -> JSON:
        """The fields every interaction payload has; `trigger_id` only when one was issued."""
        payload: JSON = {
            "type": kind,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self.user(user_id, user_name),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        if trigger_id is not None:
            payload["trigger_id"] = trigger_id
        return payload


def action_entry(
    action_id: str,
    blocks: list[JSON],
    *,
    value: Any,
    block_id: str | None,
    action_type: str | None,
) -> JSON:
    """One `actions[]` entry, filled from the element with `action_id` when it is in `blocks`."""
    found_block_id, element = find_element(blocks, action_id)
    element = element or {"type": action_type or "button", "action_id": action_id}
    action: JSON = {
        "action_id": action_id,
        "block_id": block_id or found_block_id or "",
        "type": action_type or element.get("type", "button"),
        "action_ts": f"{time.time():.6f}",
    }
    if action["type"] == "button":
        action["text"] = element.get("text")
        action["value"] = value if value is not None else element.get("value")
        return {k: v for k, v in action.items() if v is not None}
    action.update(element_state(element, value))
    action["type"] = action_type or element.get("type")
    return action


def message_container(payload: JSON, message: JSON | None, channel: str, response_url: str) -> None:
    """Fill the fields Slack adds when an action comes from a message."""
    payload["container"] = {
        "type": "message",
        "message_ts": (message or {}).get("ts", ""),
        "channel_id": channel,
        "is_ephemeral": bool((message or {}).get("ephemeral_for")),
    }
    payload["channel"] = {"id": channel, "name": channel.lower()}
    if message is not None:
        payload["message"] = {k: v for k, v in message.items() if k != "ephemeral_for"}
    payload["state"] = {"values": {}}
    payload["response_url"] = response_url


def view_container(payload: JSON, view: JSON) -> None:
    """Fill the fields Slack adds when an action comes from a modal or the Home tab."""
    payload["container"] = {"type": "view", "view_id": view.get("id")}
    payload["view"] = view


def submission(
    workspace: Workspace, view: JSON, inputs: dict[str, Any], user_id: str, trigger_id: str
) -> JSON:
    payload = workspace.envelope("view_submission", user_id, None, trigger_id)
    payload["view"] = {**view, "state": {"values": state_values(view, inputs)}}
    payload["response_urls"] = []
    return payload


def event_callback(workspace: Workspace, event: JSON) -> JSON:
    return {
        "token": workspace.verification_token,
        "team_id": workspace.team_id,
        "api_app_id": workspace.api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": workspace.team_id,
                "user_id": workspace.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
