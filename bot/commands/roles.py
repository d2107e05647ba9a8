"""Who may run which form of a slash command, and what someone who may not is told.

Roles come from the settings (admins, operators) and the vendor table (vendors); see
`bot.commands.catalog` for the usage lines each role may run.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.catalog import RANKS, CommandSpec, Role
from bot.permissions import is_admin, is_operator, not_admin, not_operator
from bot.services import Services
from storage.repos import vendors


@dataclass(frozen=True)
class Form:
    """One form of a command: the least role that may run it, and what it does in a few words
    ("send a Connect with Stripe link to someone else"), for telling someone who may not."""

    role: Role
    action: str


def whole_command(spec: CommandSpec) -> Form:
    """The form of a command whose every line is checked alike: its least role, its action."""
    return Form(min(spec.roles, key=RANKS.__getitem__), spec.action)


def not_allowed(form: Form) -> str:
    """What someone who may not run `form` is told: what they cannot do, whom to ask."""
    if form.role == "admin":
        return not_admin(form.action)
    if form.role == "operator":
        return not_operator(form.action)
    return (
        f"Only connectbot operators, admins and vendors can {form.action}. "
        "Connect your own Stripe account with `/connect-vendor`, or ask a connectbot admin."
    )


async def role_of(services: Services, *, user_id: str, team_id: str, vendors_too: bool) -> Role:
    """Admin, operator (from the settings), vendor (a vendor row in any state, looked up only
    when `vendors_too`: the one database read a command may need before its ack) or anyone."""
    settings = services.settings
    if is_admin(settings, user_id):
        return "admin"
    if is_operator(settings, user_id):
        return "operator"
    if vendors_too:
        async with services.sessions() as session:
            if await vendors.by_slack_user(session, team_id, user_id) is not None:
                return "vendor"
    return "anyone"
