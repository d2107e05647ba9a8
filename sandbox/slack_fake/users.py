"""Plausible Slack users: any `U…`/`W…` id is a user unless configured otherwise."""

from __future__ import annotations

import re
from typing import Any

from .state import JSON, FakeState

USER_ID = re.compile(r"^[UW][A-Z0-9_]+$")
CONFIGURABLE = ("name", "real_name", "email", "is_bot", "deleted", "is_admin", "missing", "tz")


def configure_user(state: FakeState, body: JSON) -> JSON:
    """Store overrides for one user (from `POST /_fake/users`)."""
    user_id = str(body.get("id") or body.get("user_id") or "")
    if not USER_ID.match(user_id):
        raise ValueError(f"not a user id: {user_id!r}")
    overrides = state.users.setdefault(user_id, {})
    overrides.update({k: body[k] for k in CONFIGURABLE if k in body})
    return user_object(state, user_id) or {"id": user_id, "missing": True}


def user_object(state: FakeState, user_id: str) -> JSON | None:
    """The `user` object users.info returns, or None if Slack would say user_not_found."""
    if not USER_ID.match(user_id):
        return None
    cfg: dict[str, Any] = state.users.get(user_id, {})
    if cfg.get("missing"):
        return None
    ident = state.identity
    is_bot = bool(cfg.get("is_bot", user_id == ident.bot_user_id))
    default_name = ident.bot_name if user_id == ident.bot_user_id else f"user_{user_id.lower()}"
    name = str(cfg.get("name", default_name))
    real_name = str(cfg.get("real_name", name))
    profile: JSON = {
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": name,
        "display_name_normalized": name,
        "team": ident.team_id,
    }
    if not is_bot:
        profile["email"] = str(cfg.get("email", f"{user_id.lower()}@example.com"))
    else:
        profile["bot_id"] = ident.bot_id if user_id == ident.bot_user_id else f"B{user_id[1:]}"
    return {
        "id": user_id,
        "team_id": ident.team_id,
        "name": name,
        "real_name": real_name,
        "deleted": bool(cfg.get("deleted", False)),
        "is_bot": is_bot,
        "is_app_user": False,
        "is_admin": bool(cfg.get("is_admin", False)),
        "is_owner": False,
        "tz": str(cfg.get("tz", "Europe/London")),
        "updated": 1_700_000_000,
        "profile": profile,
    }
