"""`GET /stripe/oauth/callback`: where Stripe sends a vendor back after Connect OAuth (§3.3).

Every outcome is a page that says what happened and what to do next: connected (200),
declined (200), a state never issued, expired or already used (400, each its own page;
Stripe not called), rejected code (400), account held by someone else (409), exchange not
confirmed by Stripe (502).

An authorization code is sent to Stripe once, ever: the state is used up before the exchange
and never handed back, and the OAuth client does not retry. When Stripe's answer is lost or
is an error, Stripe may have connected the account anyway, and a second try of the same code
would make Stripe revoke that connection. So the vendor gets a fresh link by DM instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from bot.notifications.routing import tell_user
from bot.services import SERVICES, Services
from bot.stripe_ops.accounts import retrieve_account
from bot.stripe_ops.oauth import CALLBACK_PATH, ExchangeUnconfirmed, RejectedCode, exchange_code
from bot.stripe_ops.onboarding import REFRESH_PATH, RETURN_PATH
from bot.vendors.connections import Conflict, NewConnection, record_connected, record_disconnected
from bot.vendors.invitations import send_fresh_link
from bot.views.onboarding import RETRY_REJECTED, RETRY_UNCONFIRMED, vendor_declined
from bot.web import onboarding, pages
from bot.web.pages.onboarding import (
    conflict_page,
    connected_page,
    declined_page,
    expired_state_page,
    incomplete_page,
    rejected_code_page,
    stripe_error_page,
    unconfirmed_page,
    unknown_state_page,
    used_state_page,
)
from bot.workers import WORKERS
from storage.repos import audit, oauth_codes, oauth_states, vendors
from storage.repos.oauth_states import StateOwner

log = logging.getLogger(__name__)

# A refused state's page says which refusal it was: the vendor's next step differs.
_REFUSED: dict[oauth_states.Refusal, Callable[[], web.Response]] = {
    "unknown": unknown_state_page,
    "expired": expired_state_page,
    "used": lambda: used_state_page(connected=False),
}


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
        refusal = None if owner else await oauth_states.refusal(session, state)
    if owner is None and refusal == "used":
        return used_state_page(connected=await _connected_through(services, state))
    if owner is None:
        return _REFUSED[refusal or "unknown"]()
    team = services.settings.slack_team_id
    if team and owner.team_id != team:  # issued for another workspace: not one we issued here
        return _REFUSED["unknown"]()
    exchanged = await exchange_code(services.stripe, code)
    if isinstance(exchanged, ExchangeUnconfirmed | RejectedCode):
        return await _not_connected(request, owner, code, exchanged)
    async with services.sessions.begin() as session:
        await oauth_codes.remember(
            session,
            code=code,
            account_id=exchanged.account_id,
            team_id=owner.team_id,
            actor=owner.slack_user_id,
        )
    account = await retrieve_account(services.stripe, exchanged.account_id)
    connection = NewConnection(exchanged.account_id, exchanged.livemode, exchanged.scope, account)
    outcome = await record_connected(
        services, owner, connection, key=f"connected:{oauth_states.state_hash(state)[:32]}"
    )
    request.app[WORKERS].relay.wake()
    if isinstance(outcome, Conflict):
        return conflict_page(outcome.account_id, outcome.other_account)
    return connected_page(outcome.account_id, account)


async def _not_connected(
    request: web.Request,
    owner: StateOwner,
    code: str,
    failure: ExchangeUnconfirmed | RejectedCode,
) -> web.Response:
    """The exchange did not connect anyone: audit, undo a revoked connection, DM a fresh link.

    The state stays used and the code is never sent again (see the module docstring).
    """
    services = request.app[SERVICES]
    unconfirmed = isinstance(failure, ExchangeUnconfirmed)
    async with services.sessions.begin() as session:
        await audit.record(
            session,
            actor=owner.slack_user_id,
            action="vendor.connect",
            target=None,
            outcome="exchange_unconfirmed" if unconfirmed else "code_rejected",
            team_id=owner.team_id,
            detail={"reason": failure.reason[:200]},
        )
    if isinstance(failure, RejectedCode) and failure.reused:
        await _disconnect_revoked(services, code)
    reason = RETRY_UNCONFIRMED if unconfirmed else RETRY_REJECTED
    try:
        sent = await send_fresh_link(services, owner, reason=reason)
    except Exception:  # the page must still say what happened; the vendor can ask for a link
        log.exception("could not send a fresh Connect link to %s", owner.slack_user_id)
        sent = False
    request.app[WORKERS].relay.wake()
    return unconfirmed_page(link_sent=sent) if unconfirmed else rejected_code_page(link_sent=sent)


async def _disconnect_revoked(services: Services, code: str) -> None:
    """Stripe revoked what `code` issued: mark the vendor it connected disconnected, at once.

    Nothing changes when the code connected no vendor here, or its account has connected again
    since with another code. Whichever of this and the deauthorization webhook comes first
    marks the vendor and tells their channel; the other finds them disconnected and is silent.
    """
    async with services.sessions.begin() as session:
        account_id = await oauth_codes.revoked_account(session, code)
        if account_id is not None:
            await record_disconnected(
                session,
                services.settings,
                account_id=account_id,
                actor=None,
                key=f"revoked:{oauth_codes.code_hash(code)}",
            )


async def _connected_through(services: Services, state: str) -> bool:
    """Whether the person a used `state` was issued for is a connected vendor now (so the
    page can tell them they are connected rather than send them for a fresh link)."""
    async with services.sessions() as session:
        owner = await oauth_states.used_by(session, state)
        if owner is None:
            return False
        vendor = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    return vendor is not None and vendor.status == "connected"


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
    """The Connect OAuth redirect and the Account Links return/refresh pages."""
    app.router.add_get(CALLBACK_PATH, oauth_callback)
    app.router.add_get(RETURN_PATH, onboarding.onboarding_return)
    app.router.add_get(REFRESH_PATH, onboarding.onboarding_refresh)
