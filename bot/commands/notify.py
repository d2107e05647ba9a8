"""`/notify`: the Stripe events announced beyond connectbot's own, and where.

Operators and admins see the list (operators watch the channels these land in); adding and
removing is for admins (admins choose what is announced). The work is `bot.notify.subscriptions`';
`add` reads Stripe's webhook endpoints, so every answer comes after the ack.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.roles import Form
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.notify.subscriptions import add, listing, remove
from bot.parsing import NotifyArgs, NotifyList, parse_notify_command, split_args
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.event_types import EVENT_TYPES

SPEC = BY_NAME["/notify"]
#: The admins' subcommands, and what someone else is told they cannot do.
ADMIN_ACTIONS = {
    "add": "choose which Stripe events are announced",
    "remove": "choose which Stripe events are announced",
    "rm": "choose which Stripe events are announced",
    "delete": "choose which Stripe events are announced",
}


def form(text: str, caller: str) -> Form:
    """Adding and removing are for admins; the list (and `help`) for operators too."""
    words = split_args(text)
    sub = words[0].lower() if words else "list"
    if sub in ADMIN_ACTIONS:
        return Form("admin", ADMIN_ACTIONS[sub])
    return Form("operator", SPEC.action)


def parse(text: str, settings: Settings) -> NotifyArgs | Refusal:
    return parse_notify_command(text, known=EVENT_TYPES)


async def run(call: CommandCall[NotifyArgs]) -> Refusal | None:
    """Ack, then the list or the change made, privately."""
    await call.ack()
    args, services = call.args, call.services
    if isinstance(args, NotifyList):
        return await call.show(await listing(services, team=call.team_id))
    change = add if args.action == "add" else remove
    return await call.show(await change(services, args, caller=call.user_id, team=call.team_id))


COMMAND = Command(SPEC, parse, run, form=form)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
