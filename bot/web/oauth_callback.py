"""`GET /stripe/oauth/callback`: where Stripe sends a vendor back after Connect OAuth (§3.3).

Every outcome is a page that says what happened and what to do next: connected (200),
declined (200), unknown/expired/used state (400, Stripe not called), rejected code (400),
account held by someone else (409), Stripe unreachable (502, the same link may be retried).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.handlers.accounts import Conflict, NewConnection, record_connected
from bot.notifications.routing import tell_user
from bot.services import SERVICES
from bot.stripe_ops.accounts import retrieve_account
from bot.stripe_ops.oauth import CALLBACK_PATH, RejectedCode, StripeUnavailable, exchange_code
from bot.stripe_ops.onboarding import REFRESH_PATH, RETURN_PATH
from bot.views.onboarding import vendor_declined
from bot.web import onboarding, pages
from bot.web.pages.onboarding import (
    conflict_page,
    connected_page,
    declined_page,
    incomplete_page,
    invalid_state_page,
    rejected_code_page,
    stripe_error_page,
    unreachable_page,
)
from bot.workers import WORKERS
from storage.repos import audit, oauth_states

log = logging.getLogger(__name__)


async def oauth_callback(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    query = request.query
    state = query.get("state", "")
    if query.get("error"):
        return await _declined(request, state, query["error"], query.get("error_description"))
    code = query.get("code", "")
    if not code or not state:
        return incomplete_page()
    async with services.sessions.begin() as session:
        owner = await oauth_states.consume(session, state)
    if owner is None:
        return invalid_state_page()
    exchanged = await exchange_code(services.stripe, code)
    if isinstance(exchanged, StripeUnavailable):
        # The code may still be good: give the state back so reloading the page retries.
        async with services.sessions.begin() as session:
            await oauth_states.release(session, state)
        return unreachable_page()
    if isinstance(exchanged, RejectedCode):
        async with services.sessions.begin() as session:
            await audit.record(
                session,
                actor=owner.slack_user_id,
                action="vendor.connect",
                target=None,
                outcome="code_rejected",
                team_id=owner.team_id,
                detail={"reason": exchanged.reason},
            )
        return rejected_code_page()
    account = await retrieve_account(services.stripe, exchanged.account_id)
    connection = NewConnection(exchanged.account_id, exchanged.livemode, exchanged.scope, account)
    outcome = await record_connected(
        services, owner, connection, key=f"connected:{oauth_states.state_hash(state)[:32]}"
    )
    request.app[WORKERS].relay.wake()
    if isinstance(outcome, Conflict):
        return conflict_page(outcome.account_id, outcome.other_account)
    return connected_page(outcome.account_id, account)


async def _declined(
    request: web.Request, state: str, error: str, description: str | None
) -> web.Response:
    """The vendor said no (or Stripe refused the request): nothing stored but the audit entry."""
    services = request.app[SERVICES]
    async with services.sessions.begin() as session:
        owner = await oauth_states.consume(session, state)
        if owner is not None:
            await audit.record(
                session,
                actor=owner.slack_user_id,
                action="vendor.connect",
                target=None,
                outcome="declined" if error == "access_denied" else f"error:{error[:20]}",
                team_id=owner.team_id,
            )
            if error == "access_denied":
                key = f"declined:{oauth_states.state_hash(state)[:32]}"
                await tell_user(session, owner.slack_user_id, message=vendor_declined(), key=key)
    request.app[WORKERS].relay.wake()
    if error == "access_denied":
        return declined_page()
    log.warning("Connect OAuth returned error %s: %s", error, description)
    return stripe_error_page(pages.escape(description or error))


def add_routes(app: web.Application) -> None:
    """The Connect OAuth redirect and the Account Links return/refresh pages (PRODUCT.md §8)."""
    app.router.add_get(CALLBACK_PATH, oauth_callback)
    app.router.add_get(RETURN_PATH, onboarding.onboarding_return)
    app.router.add_get(REFRESH_PATH, onboarding.onboarding_refresh)
