"""The one way to write a slash command: a `Command` (spec, parse, run), registered once.

Every command module has the same shape (like bolt-python's starter template, the callback is
a module-level function, importable and testable on its own):

    SPEC = BY_NAME["/refund"]

    def parse(text: str, settings: Settings) -> RefundArgs | Refusal: ...

    async def run(call: CommandCall[RefundArgs]) -> Refusal | None: ...

    COMMAND = Command(SPEC, parse, run)

    def register(app: AsyncApp, services: Services) -> None:
        register_command(app, services, COMMAND)

A command whose forms need different roles adds `form=` (`Command.form`, with
`bot.commands.roles.Form`). In `run`, `call.show(result)` answers a domain result privately or
hands its `Refusal` back; `call.with_usage(refusal)` adds the caller's usage to a refusal.

What every command gets from here, so no command does it itself:
- the caller's role (admin, operator, vendor, anyone), read from the database only when a
  usage line of the command is for vendors;
- refusing someone who may not run the form of the command they typed, with what they cannot
  do and whom to ask (`not_allowed`); the form is the whole command unless `Command.form`
  says which one the text asks for (`/vendors fee` is for admins, `/vendors` for vendors);
- `help`: the usage lines the caller may run, or the refusal when they may run none;
- parsing: a `Refusal` from `parse` is answered with the message and the caller's usage;
- answering: `call.answer(...)` says something privately to the caller, in the ack while the
  command has not been acked, else through the outbox and the response URL (once per request,
  even when Slack retries it); a `Refusal` returned by `run` is answered the same way;
- opening a modal (`call.open_modal`), with Slack's trigger failures worded for the person;
- acknowledging the command's URL buttons (`Command.url_buttons`: Slack opens the page, the
  click needs only an ack).

An unexpected exception is not caught here: the app's one error handler (`bot/app.py`) logs
it and tells the caller that nothing was charged twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.catalog import RANKS, CommandSpec, Role
from bot.commands.roles import Form, not_allowed, role_of, whole_command
from bot.config import Settings
from bot.notifications.routing import reply_privately
from bot.refusal import Refusal
from bot.services import Services
from storage.models import utcnow

log = logging.getLogger(__name__)

A = TypeVar("A")


@dataclass
class CommandCall(Generic[A]):
    """One slash command being answered: who asked, where, the parsed arguments."""

    services: Services
    client: AsyncWebClient
    spec: CommandSpec
    args: A
    role: Role
    user_id: str
    team_id: str
    channel_id: str
    text: str
    trigger_id: str | None
    response_url: str | None
    received_at: datetime = field(default_factory=utcnow)
    _ack: AsyncAck | None = None
    _respond: AsyncRespond | None = None
    acked: bool = False

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def request_key(self) -> str:
        """Stable across Slack's retries of this one request: keys its outbox answers."""
        return self.trigger_id or self.response_url or f"{self.user_id}:{self.received_at}"

    async def ack(self, text: str | None = None) -> None:
        """Acknowledge once (Slack needs it within 3 seconds); `text` is shown privately."""
        if self.acked or self._ack is None:
            return
        self.acked = True
        await self._ack(text) if text is not None else await self._ack()

    async def answer(self, message: str | dict[str, Any], *, key: str = "reply") -> None:
        """Say `message` privately to the caller: in the ack, or after it through the outbox.

        `key` tells apart several answers to one request; the same key twice (a retried
        request) is posted once.
        """
        if not self.acked:
            await self.ack(message if isinstance(message, str) else message.get("text", ""))
            return
        await reply_privately(
            self.services.sessions,
            self.user_id,
            message={"text": message} if isinstance(message, str) else message,
            key=f"{self.spec.name}:{key}:{self.request_key}",
            response_url=self.response_url,
            received_at=self.received_at,
        )

    async def show(self, result: str | dict[str, Any] | Refusal) -> Refusal | None:
        """Answer `result` privately (see `answer`), or hand a `Refusal` back for `run` to
        return: `return await call.show(await some_domain_call(...))`."""
        if isinstance(result, Refusal):
            return result
        await self.answer(result)
        return None

    async def answer_in_channel(self, message: dict[str, Any]) -> None:
        """Acknowledge, then post `message` in the conversation for everyone, through the
        response URL (a report the caller asked for, like `/fees`; not a notification)."""
        await self.ack()
        if self._respond is not None:
            await self._respond(**message, response_type="in_channel")

    def usage(self) -> str:
        """The usage lines this caller may run."""
        return self.spec.help_text(self.role)

    def with_usage(self, refusal: Refusal) -> Refusal:
        """`refusal` followed by the caller's usage (a command that could not go ahead as
        typed: the usage shows what it can do)."""
        return Refusal(f"{refusal.message}\n\n{self.usage()}", field=refusal.field)

    async def open_modal(self, view: dict[str, Any], *, what: str) -> bool:
        """Ack, then open `view` with this request's trigger; False (and the caller told,
        `what` naming the form, e.g. "the charge form") when Slack would not open it."""
        await self.ack()
        try:
            await self.client.views_open(trigger_id=self.trigger_id, view=view)
        except (SlackApiError, OSError, TimeoutError) as exc:
            log.warning("%s: views.open failed: %r", self.spec.name, exc)
            await self.answer(modal_not_opened(exc, what=what), key="modal")
            return False
        return True


def modal_not_opened(exc: Exception, *, what: str) -> str:
    """Why a form did not open, for the person who asked (never Slack's error code)."""
    error = exc.response.get("error") if isinstance(exc, SlackApiError) else None
    if error in ("expired_trigger_id", "exchanged_trigger_id"):
        return (
            f"Slack took too long to open {what}, so it was not shown; nothing was charged. "
            "Type the command again."
        )
    return f"Slack could not open {what}; nothing was charged. Type the command again."


@dataclass(frozen=True)
class Command(Generic[A]):
    """A slash command: its catalog entry, how its text is read, and what it does.

    `parse` is pure (text and settings in, arguments or a `Refusal` out). `run` answers the
    call; it returns a `Refusal` to have it shown to the caller, or None when it answered.
    `form` (pure: the text and the caller's user id in) says which form of the command the
    text asks for, when its forms need different roles; by default the whole command is one
    form (`whole_command`). `url_buttons`: action ids of the link buttons its answers carry.
    """

    spec: CommandSpec
    parse: Callable[[str, Settings], A | Refusal]
    run: Callable[[CommandCall[A]], Awaitable[Refusal | None]]
    form: Callable[[str, str], Form] | None = None
    url_buttons: tuple[str, ...] = ()


async def handle(
    command: Command[A],
    services: Services,
    *,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None = None,
) -> None:
    """Answer one slash command `body` (Slack's form fields) with `command`.

    In this order: refuses a caller who may not run the form typed (even `help`: nobody is
    shown the usage of what they cannot run); answers `help`; refuses text `parse` refuses,
    with the usage; then runs the command and answers the `Refusal` it returns, if any.
    """
    received = utcnow()
    spec = command.spec
    text = str(body.get("text") or "").strip()
    user_id = str(body.get("user_id") or "")
    team_id = str(body.get("team_id") or services.settings.slack_team_id or "")
    vendors_too = "vendor" in spec.roles
    role = await role_of(services, user_id=user_id, team_id=team_id, vendors_too=vendors_too)
    form = command.form(text, user_id) if command.form is not None else whole_command(spec)
    for needed in (form, whole_command(spec)):
        if RANKS[role] < RANKS[needed.role]:
            await ack(not_allowed(needed))
            return
    if text.lower() == "help":
        await ack(spec.help_text(role))
        return
    args = command.parse(text, services.settings)
    if isinstance(args, Refusal):
        await ack(f"{args.message}\n\n{spec.help_text(role)}")
        return
    call = CommandCall(
        services=services,
        client=client,
        spec=spec,
        args=args,
        role=role,
        user_id=user_id,
        team_id=team_id,
        channel_id=str(body.get("channel_id") or ""),
        text=text,
        trigger_id=body.get("trigger_id"),
        response_url=body.get("response_url"),
        received_at=received,
        _ack=ack,
        _respond=respond,
    )
    refused = await command.run(call)
    if refused is not None:
        await call.answer(refused.message)
    await call.ack()  # a run that said nothing still acknowledges


def register_command(app: AsyncApp, services: Services, definition: Command[Any]) -> None:
    """Register `definition` under its catalog name, and the acks of its URL buttons."""

    # Bolt passes listener arguments by name: `command` is Slack's form fields.
    async def slash(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await handle(definition, services, ack=ack, body=command, client=client, respond=respond)

    app.command(definition.spec.name)(slash)

    for action_id in definition.url_buttons:
        app.action(action_id)(_ack_only)


async def _ack_only(ack: AsyncAck) -> None:
    await ack()  # a URL button: Slack opens the page; the click needs only an ack
