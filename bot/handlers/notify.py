"""Every event: announce it where admins chose with `/notify add` (`bot.notify`)."""

from __future__ import annotations

from bot.notify.announcements import announce_subscribed
from bot.stripe_events import EventContext, EventHandlers


def register(handlers: EventHandlers) -> None:
    async def announce(ctx: EventContext) -> None:
        # The registry knows, when the event comes, which types have handlers of their own.
        await announce_subscribed(
            ctx.session, ctx.services.settings, ctx.event, handled=handlers.types()
        )

    handlers.on_every_event(announce)
