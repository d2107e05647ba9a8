"""Account Links onboarding (`CONNECT_ONBOARDING=account_links`): a hosted Stripe page.

`/connect-vendor` creates a Standard account, stores the vendor as `onboarding` and sends a
hosted onboarding link (`begin_hosted_onboarding`). Stripe sends the vendor back to the return
page (`onboarding_returned`: the account is read and, once set up, recorded as connected) or,
when the link expired, to the refresh page (`onboarding_resumed`: a fresh link). Both carry the
same `state` as OAuth (hashed, bound to the vendor, 15 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.accounts import AccountState, create_standard_account, retrieve_account
from bot.stripe_ops.errors import StripeUnavailable
from bot.stripe_ops.onboarding import onboarding_link
from bot.vendors.account_state import keep_capabilities
from bot.vendors.connections import Conflict, Connected, NewConnection, record_connected
from storage.models import Vendor
from storage.repos import audit, oauth_states, vendors
from storage.repos.oauth_states import StateOwner

NO_LINK = "Sorry, I couldn't create a connection link just now. Please try again in a minute."


@dataclass(frozen=True)
class Stopped:
    """Why a return or refresh cannot go on: Stripe could not be asked, or else the state is
    not one of a vendor onboarding (unknown, expired, the vendor disconnected)."""

    stripe_unreachable: bool


_INVALID_STATE = Stopped(stripe_unreachable=False)
_UNREACHABLE = Stopped(stripe_unreachable=True)


@dataclass(frozen=True)
class Returned:
    """The vendor's account as read on their return, and whether they are connected now
    (`outcome` None: Stripe still needs something from them)."""

    account: AccountState
    outcome: Connected | Conflict | None


async def begin_hosted_onboarding(
    services: Services, owner: StateOwner, *, state: str, email: str | None
) -> str | Refusal:
    """The hosted onboarding URL for `owner`'s vendor, creating their Standard account once.

    A vendor already onboarding keeps their account (a new link only). Refuses when Stripe
    fails; the state was already stored by the caller.
    """
    async with services.sessions() as session:
        vendor = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    if vendor is not None and vendor.status == "onboarding":
        account_id = vendor.stripe_account_id
    else:
        key = f"connectbot-account:{oauth_states.state_hash(state)[:40]}"
        created = await create_standard_account(services.stripe, email=email, idempotency_key=key)
        if isinstance(created, StripeUnavailable):
            return Refusal(NO_LINK)
        account_id = created
        await _record_onboarding(services, owner, account_id=account_id, email=email)
    url = await _link(services, account_id, state)
    return Refusal(NO_LINK) if isinstance(url, StripeUnavailable) else url


async def _record_onboarding(
    services: Services, owner: StateOwner, *, account_id: str, email: str | None
) -> None:
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


async def _link(services: Services, account_id: str, state: str) -> str | StripeUnavailable:
    return await onboarding_link(
        services.stripe, public_url=services.settings.public_url, account_id=account_id, state=state
    )


@dataclass(frozen=True)
class _Onboarding:
    owner: StateOwner
    vendor: Vendor


async def _onboarding(services: Services, state: str, *statuses: str) -> _Onboarding | Stopped:
    """Who the onboarding `state` belongs to, and their vendor row; refused (invalid state)
    when the state is unknown, was issued for another workspace than `SLACK_TEAM_ID` (as the
    OAuth callback refuses it), or their vendor is missing or not in one of `statuses`."""
    async with services.sessions() as session:
        owner = await oauth_states.owner(session, state, team_id=services.settings.slack_team_id)
        if owner is None:
            return _INVALID_STATE
        vendor = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    if vendor is None or vendor.status not in statuses:
        return _INVALID_STATE
    return _Onboarding(owner, vendor)


async def onboarding_returned(services: Services, state: str) -> Returned | Stopped:
    """Read the vendor's account: connected when set up (the state is then used up), else its
    capabilities are kept and Stripe's remaining needs returned."""
    found = await _onboarding(services, state, "onboarding", "connected")
    if isinstance(found, Stopped):
        return found
    owner, vendor = found.owner, found.vendor
    account = await retrieve_account(services.stripe, vendor.stripe_account_id)
    if isinstance(account, StripeUnavailable):
        return _UNREACHABLE
    if not account.ready:
        await keep_capabilities(services, account)
        return Returned(account, None)
    connection = NewConnection(account.account_id, services.settings.livemode, None, account)
    outcome = await record_connected(
        services, owner, connection, key=f"connected:{oauth_states.state_hash(state)[:32]}"
    )
    async with services.sessions.begin() as session:
        await oauth_states.consume(session, state, team_id=owner.team_id)
    return Returned(account, outcome)


async def onboarding_resumed(services: Services, state: str) -> str | Stopped:
    """A fresh onboarding URL for the same account (the old link expired or was used)."""
    found = await _onboarding(services, state, "onboarding")
    if isinstance(found, Stopped):
        return found
    url = await _link(services, found.vendor.stripe_account_id, state)
    return _UNREACHABLE if isinstance(url, StripeUnavailable) else url
