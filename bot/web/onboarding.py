"""The Account Links return and refresh pages (`CONNECT_ONBOARDING=account_links`).

Thin: `bot.vendors.hosted` reads the account and records the vendor; these routes show the
outcome. Both carry the `state` of the vendor's link.
"""

from __future__ import annotations

from aiohttp import web

from bot.services import SERVICES
from bot.stripe_ops.onboarding import REFRESH_PATH
from bot.vendors.connections import Conflict
from bot.vendors.hosted import Stopped, onboarding_resumed, onboarding_returned
from bot.web.pages.onboarding import (
    conflict_page,
    connected_page,
    invalid_state_page,
    onboarding_incomplete_page,
    unreachable_page,
)


def _stopped_page(stopped: Stopped) -> web.Response:
    return unreachable_page() if stopped.stripe_unreachable else invalid_state_page()


async def onboarding_return(request: web.Request) -> web.Response:
    """Connected when the account is set up, else a page saying what Stripe still needs."""
    services = request.app[SERVICES]
    returned = await onboarding_returned(services, request.query.get("state", ""))
    if isinstance(returned, Stopped):
        return _stopped_page(returned)
    outcome = returned.outcome
    if outcome is None:
        continue_url = f"{services.settings.public_url}{REFRESH_PATH}?{request.query_string}"
        return onboarding_incomplete_page(returned.account, continue_url)
    if isinstance(outcome, Conflict):
        return conflict_page(outcome.account_id, outcome.other_account)
    return connected_page(outcome.account_id, returned.account)


async def onboarding_refresh(request: web.Request) -> web.StreamResponse:
    """A fresh onboarding link for the same account, by redirect."""
    url = await onboarding_resumed(request.app[SERVICES], request.query.get("state", ""))
    if isinstance(url, Stopped):
        return _stopped_page(url)
    raise web.HTTPFound(url)
