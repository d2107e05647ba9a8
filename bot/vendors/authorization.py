"""Finishing Connect OAuth: the vendor comes back from Stripe with a code, or having said no.

An authorization code is sent to Stripe once, ever: the state is used up before the exchange
and never handed back, and the OAuth client does not retry. When Stripe's answer is lost or
is an error, Stripe may have connected the account anyway, and a second try of the same code
would make Stripe revoke that connection. So the vendor gets a fresh link by DM instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.notifications.routing import tell_user
from bot.services import Services
from bot.stripe_ops.accounts import AccountState, retrieve_account
from bot.stripe_ops.errors import StripeUnavailable
from bot.stripe_ops.oauth import ExchangeUnconfirmed, RejectedCode, exchange_code
from bot.vendors.connections import (
    Conflict,
    Connected,
    NewConnection,
    record_connected,
    record_disconnected,
)
from bot.vendors.invitations import send_fresh_link
from bot.views.onboarding import RETRY_REJECTED, RETRY_UNCONFIRMED, vendor_declined
from storage.repos import audit, oauth_codes, oauth_states, vendors
from storage.repos.oauth_states import StateOwner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StateRefused:
    """The state was never issued here, expired, or already used; for a used one, whether the
    person it was issued for is a connected vendor now (their next step differs)."""

    why: oauth_states.Refusal
    connected: bool = False


@dataclass(frozen=True)
class Linked:
    """Stripe connected the account: recorded (or refused as held by someone else)."""

    outcome: Connected | Conflict
    account: AccountState | None  # None when Stripe could not be asked about it


@dataclass(frozen=True)
class NotLinked:
    """The exchange connected no one: Stripe rejected the code, or (`unconfirmed`) did not
    confirm it; `link_sent` when the vendor was DMed a fresh link."""

    unconfirmed: bool
    link_sent: bool


async def claim_state(services: Services, state: str) -> StateOwner | StateRefused:
    """Use up `state` and return whom it was issued for; refuses one never issued (or issued
    for another workspace), expired, or already used."""
    team = services.settings.slack_team_id
    async with services.sessions.begin() as session:
        owner = await oauth_states.consume(session, state, team_id=team)
        refusal = None if owner else await oauth_states.refusal(session, state, team_id=team)
    if owner is None and refusal == "used":
        return StateRefused("used", connected=await _connected_through(services, state))
    if owner is None:
        return StateRefused(refusal or "unknown")
    return owner


async def connect_with_code(
    services: Services, owner: StateOwner, *, state: str, code: str
) -> Linked | NotLinked:
    """Exchange `code` (once, ever) and record the vendor connected; see the module docstring
    for what happens when Stripe does not connect them."""
    exchanged = await exchange_code(services.stripe, code)
    if isinstance(exchanged, ExchangeUnconfirmed | RejectedCode):
        return await _not_connected(services, owner, code, exchanged)
    async with services.sessions.begin() as session:
        await oauth_codes.remember(
            session,
            code=code,
            account_id=exchanged.account_id,
            team_id=owner.team_id,
            actor=owner.slack_user_id,
        )
    read = await retrieve_account(services.stripe, exchanged.account_id)
    account = None if isinstance(read, StripeUnavailable) else read
    connection = NewConnection(exchanged.account_id, exchanged.livemode, exchanged.scope, account)
    outcome = await record_connected(
        services, owner, connection, key=f"connected:{oauth_states.state_hash(state)[:32]}"
    )
    return Linked(outcome, account)


async def _not_connected(
    services: Services, owner: StateOwner, code: str, failure: ExchangeUnconfirmed | RejectedCode
) -> NotLinked:
    """Audit, undo a connection Stripe revoked, DM a fresh link. The code is never sent again."""
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
    return NotLinked(unconfirmed=unconfirmed, link_sent=sent)


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
    """Whether the person a used `state` was issued for is a connected vendor now."""
    async with services.sessions() as session:
        owner = await oauth_states.used_by(session, state, team_id=services.settings.slack_team_id)
        if owner is None:
            return False
        vendor = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    return vendor is not None and vendor.status == "connected"


async def record_declined(services: Services, state: str, error: str) -> None:
    """The vendor said no (`access_denied`: they are DMed) or Stripe refused the request:
    the state is used up and audited; nothing else is stored. A state `consume` refuses
    (unknown, of another workspace, expired, used) changes nothing and tells no one."""
    async with services.sessions.begin() as session:
        owner = await oauth_states.consume(session, state, team_id=services.settings.slack_team_id)
        if owner is None:
            return
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
