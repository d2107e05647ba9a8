"""Roles (PRODUCT.md §1): admins, operators (admins count too), vendors, everyone else."""

from __future__ import annotations

from bot.config import Settings


def is_admin(settings: Settings, user_id: str) -> bool:
    return user_id in settings.admin_user_ids


def is_operator(settings: Settings, user_id: str) -> bool:
    """Operators, and admins, who may do everything operators may."""
    return user_id in settings.operator_user_ids or is_admin(settings, user_id)


NOT_OPERATOR = (
    "Only connectbot operators can do that. Ask an admin to add you to OPERATOR_USER_IDS."
)
NOT_ADMIN = "Only connectbot admins can do that. Ask an admin to add you to ADMIN_USER_IDS."
