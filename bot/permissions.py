"""Roles: admins, operators (admins count too), vendors, everyone else."""

from __future__ import annotations

from bot.config import Settings


def is_admin(settings: Settings, user_id: str) -> bool:
    return user_id in settings.admin_user_ids


def is_operator(settings: Settings, user_id: str) -> bool:
    """Operators, and admins, who may do everything operators may."""
    return user_id in settings.operator_user_ids or is_admin(settings, user_id)


def not_operator(action: str = "do that") -> str:
    """What someone who is not an operator is told: what they cannot do, and whom to ask.

    Never the name of a setting: the person reading it cannot change the server's settings.
    """
    return f"Only connectbot operators can {action}. Ask a connectbot admin if you need to."


def not_admin(action: str = "do that") -> str:
    """What someone who is not an admin is told (see `not_operator`)."""
    return f"Only connectbot admins can {action}. Ask a connectbot admin if you need this done."


NOT_OPERATOR = not_operator()
NOT_ADMIN = not_admin()
