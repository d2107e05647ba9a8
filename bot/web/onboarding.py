"""Account Links onboarding (`CONNECT_ONBOARDING=account_links`).

`/connect-vendor` creates a Standard account, stores the vendor as `onboarding` and sends a
hosted onboarding link (`begin_hosted_onboarding`). Stripe sends the vendor back to
`/stripe/onboarding/return` (the account is read and, once set up, recorded as connected) or,
when the link expired, to `/stripe/onboarding/refresh` (a fresh link, by redirect). Both carry
the same `state` as OAuth (hashed, bound to the vendor, 15 minutes).
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import SERVICES, Services
from bot.stripe_ops.accounts import create_standard_account, retrieve_account
from bot.stripe_ops.onboarding import REFRESH_PATH, onboarding_link
from bot.vendors.connections import Conflict, NewConnection, record_connected
from bot.web.pages.onboarding import (
    conflict_page,
    connected_page,
    invalid_state_page,
    onboarding_incomplete_page,
    unreachable_page,
)
from bot.workers import WORKERS
from storage.models import Vendor
from storage.repos import audit, oauth_states, vendors
from storage.repos.oauth_states import StateOwner

log = logging.getLogger(__name__)


async def begin_hosted_onboarding(
    services: Services, owner: StateOwner, *, state: str, email: str | None
) -> str | None:
    """The hosted onboarding URL for `owner`'s vendor, creating their Standard account once.

    A vendor already onboarding keeps their account (a new link only). None when Stripe
    fails; the state was already stored by the caller.
    """
    async with services.sessions() as session:
        vendor = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    if vendor is not None and vendor.status == "onboarding":
        account_id: str | None = vendor.stripe_account_id
    else:
        key = f"connectbot-account:{oauth_states.state_hash(state)[:40]}"
        account_id = await create_standard_account(
            services.stripe, email=email, idempotency_key=key
        )
        if account_id is None:
            return None
        async with services.sessions.begin() as session:
            await vendors.save_account(
                session,
                team_id=owner.team_id,
                slack_user_id=owner.slack_user_id,
                stripe_account_id=account_id,
                status="onboarding",
                livemode=services.settings.livemode,
                scope=None,
                email=email,
                charges_enabled=False,
                payouts_enabled=False,
            )
            await audit.record(
                session,
                actor=owner.requested_by,
                action="vendor.account_create",
                target=account_id,
                outcome="onboarding",
                team_id=owner.team_id,
                detail={"vendor": owner.slack_user_id},
            )
    assert account_id is not None
    return await onboarding_link(
        services.stripe, services.settings, account_id=account_id, state=state
    )


async def _owner_and_vendor(
    services: Services, state: str
) -> tuple[StateOwner | None, Vendor | None]:
    """Who the onboarding `state` belongs to, and their vendor row (None when unknown)."""
    async with services.sessions() as session:
        owner = await oauth_states.owner(session, state)
        if owner is None:
            return None, None
        return owner, await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)


async def onboarding_return(request: web.Request) -> web.Response:
    """Read the account: connected when set up, else a page saying what Stripe still needs."""
    services = request.app[SERVICES]
    state = request.query.get("state", "")
    owner, vendor = await _owner_and_vendor(services, state)
    if owner is None or vendor is None or vendor.status == "disconnected":
        return invalid_state_page()
    account = await retrieve_account(services.stripe, vendor.stripe_account_id)
    if account is None:
        return unreachable_page()
    if not account.ready:
        async with services.sessions.begin() as session:
            await _keep_capabilities(
                session, vendor.id, account.charges_enabled, account.payouts_enabled
            )
        continue_url = f"{services.settings.public_url}{REFRESH_PATH}?{request.query_string}"
        return onboarding_incomplete_page(account, continue_url)
    connection = NewConnection(account.account_id, services.settings.livemode, None, account)
    outcome = await record_connected(
        services, owner, connection, key=f"connected:{oauth_states.state_hash(state)[:32]}"
    )
    async with services.sessions.begin() as session:
        await oauth_states.consume(session, state)
    request.app[WORKERS].relay.wake()
    if isinstance(outcome, Conflict):
        return conflict_page(outcome.account_id, outcome.other_account)
    return connected_page(outcome.account_id, account)


async def onboarding_refresh(request: web.Request) -> web.StreamResponse:
    """A fresh onboarding link for the same account, by redirect."""
    services = request.app[SERVICES]
    state = request.query.get("state", "")
    owner, vendor = await _owner_and_vendor(services, state)
    if owner is None or vendor is None or vendor.status != "onboarding":
        return invalid_state_page()
    url = await onboarding_link(
        services.stripe, services.settings, account_id=vendor.stripe_account_id, state=state
    )
    if url is None:
        return unreachable_page()
    raise web.HTTPFound(url)


async def _keep_capabilities(
    session: AsyncSession, vendor_id: int, charges: bool, payouts: bool
) -> None:
    vendor = await vendors.lock(session, vendor_id)
    if vendor is not None:
        vendor.charges_enabled = charges
        vendor.payouts_enabled = payouts
