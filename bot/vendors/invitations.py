"""Connect links: a private "Connect with Stripe" link for a vendor, to the caller or by DM.

`send_link` answers `/connect-vendor`; `send_fresh_link` DMs a new link when a connection
attempt failed (the OAuth callback). A link is Connect OAuth or, with
`CONNECT_ONBOARDING=account_links`, hosted onboarding (`bot.vendors.hosted`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.notifications.routing import tell_user
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.oauth import authorize_url
from bot.vendors.hosted import NO_LINK, begin_hosted_onboarding
from bot.views.onboarding import already_connected, connect_link, link_sent
from storage.repos import audit, oauth_states, vendors
from storage.repos.oauth_states import StateOwner

log = logging.getLogger(__name__)

__all__ = ["NO_LINK", "send_fresh_link", "send_link"]


async def send_link(services: Services, owner: StateOwner) -> dict[str, Any] | Refusal:
    """Issue a state and deliver the link: to the caller (returned) or by DM to the vendor.

    Returns the caller's private reply. Refuses a vendor who is already connected, someone who
    is not a person in the workspace, and a link Stripe could not make.
    """
    link = await _new_link(services, owner, retry_reason=None)
    if isinstance(link, Refusal):
        return link
    for_self = owner.slack_user_id == owner.requested_by
    await _deliver(services, owner, link, by_dm=not for_self)
    if for_self:
        return link.message
    return {"text": link_sent(owner.slack_user_id)}


async def send_fresh_link(services: Services, owner: StateOwner, *, reason: str) -> bool:
    """DM `owner`'s vendor a new link after a connection attempt that failed for `reason`.

    Goes through the outbox like every DM. False (nothing sent) when the vendor is connected
    after all, is not a person, or no link could be made.
    """
    link = await _new_link(services, owner, retry_reason=reason)
    if isinstance(link, Refusal):
        return False
    await _deliver(services, owner, link, by_dm=True)
    return True


@dataclass(frozen=True)
class _Link:
    message: dict[str, Any]  # the Connect with Stripe button
    state: str


async def _new_link(
    services: Services, owner: StateOwner, *, retry_reason: str | None
) -> _Link | Refusal:
    """A fresh state and its Connect button message, or why there is none."""
    async with services.sessions() as session:
        vendor = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    for_self = owner.slack_user_id == owner.requested_by
    if vendor is not None and vendor.status == "connected":
        who = None if for_self else owner.slack_user_id
        return Refusal(
            already_connected(
                vendor.stripe_account_id, vendor_user_id=who, livemode=vendor.livemode
            )
        )
    person = await _person(services, owner.slack_user_id)
    if isinstance(person, Refusal):
        return person
    email = person.email
    async with services.sessions.begin() as session:
        state = await oauth_states.issue(
            session,
            team_id=owner.team_id,
            slack_user_id=owner.slack_user_id,
            requested_by=owner.requested_by,
        )
    hosted = services.settings.connect_onboarding == "account_links"
    if hosted:
        url = await begin_hosted_onboarding(services, owner, state=state, email=email)
        if isinstance(url, Refusal):
            return url
    else:
        url = authorize_url(services.settings, state=state, email=email)
    message = connect_link(
        url,
        requested_by=None if for_self else owner.requested_by,
        hosted=hosted,
        retry_reason=retry_reason,
    )
    return _Link(message, state)


async def _deliver(services: Services, owner: StateOwner, link: _Link, *, by_dm: bool) -> None:
    """DM the link (when `by_dm`) and audit it, in one transaction."""
    async with services.sessions.begin() as session:
        if by_dm:
            key = f"connect-link:{oauth_states.state_hash(link.state)[:32]}"
            await tell_user(session, owner.slack_user_id, message=link.message, key=key)
        await audit.record(
            session,
            actor=owner.requested_by,
            action="vendor.connect_link",
            target=owner.slack_user_id,
            outcome="sent",
            team_id=owner.team_id,
            detail={"mode": services.settings.connect_onboarding},
        )


@dataclass(frozen=True)
class _Person:
    email: str | None  # when Slack shares it


async def _person(services: Services, user_id: str) -> _Person | Refusal:
    """`user_id` as a person in the workspace, with their email when Slack shares it.

    Refuses a bot, a deactivated user and one Slack does not know. When Slack cannot be asked,
    assume a person without a known email (the link still works).
    """
    not_a_person = Refusal(f"<@{user_id}> is a bot or not in this workspace; pick a person.")
    try:
        answer = await services.slack.users_info(user=user_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        return not_a_person if error in ("user_not_found", "user_disabled") else _Person(None)
    except Exception as exc:
        log.warning("users.info %s failed: %s", user_id, exc)
        return _Person(None)
    user = answer.get("user") or {}
    if user.get("is_bot") or user.get("deleted"):
        return not_a_person
    email = (user.get("profile") or {}).get("email")
    return _Person(str(email) if email else None)
