"""`/connect-vendor [@vendor]`: a private Connect with Stripe link, for yourself or a vendor.

Anyone may ask for their own link; sending one to someone else needs an operator or admin.
A vendor already connected is told so (with the account id) instead of getting a new link.
`send_fresh_link` DMs a new link when a connection attempt failed (the OAuth callback).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands.catalog import BY_NAME
from bot.money import Refusal
from bot.notifications.routing import reply_privately, tell_user
from bot.parsing import parse_connect_vendor_command
from bot.permissions import is_operator, not_operator
from bot.services import Services
from bot.stripe_ops.oauth import authorize_url
from bot.views.onboarding import already_connected, connect_link, link_sent
from bot.web.onboarding import begin_hosted_onboarding
from storage.models import utcnow
from storage.repos import audit, oauth_states, vendors
from storage.repos.oauth_states import StateOwner

log = logging.getLogger(__name__)

SPEC = BY_NAME["/connect-vendor"]
FAILED = "Sorry, I couldn't create a connection link just now. Please try again in a minute."


def register(app: AsyncApp, services: Services) -> None:
    async def connect_vendor(ack: AsyncAck, command: dict[str, Any]) -> None:
        received = utcnow()
        text = (command.get("text") or "").strip()
        caller = str(command["user_id"])
        # Everyone may ask for their own link; only operators see how to send one to others.
        usage = SPEC.help_text("operator" if is_operator(services.settings, caller) else "anyone")
        if text.lower() == "help":
            await ack(usage)
            return
        args = parse_connect_vendor_command(text)
        if isinstance(args, Refusal):
            await ack(f"{args.message}\n\n{usage}")
            return
        target = args.vendor_user_id or caller
        if target != caller and not is_operator(services.settings, caller):
            await ack(not_operator(SPEC.action))
            return
        await ack()
        owner = StateOwner(str(command["team_id"]), target, caller)
        try:
            reply = await send_link(services, owner)
        except Exception:
            log.exception("/connect-vendor failed")
            reply = {"text": FAILED}
        await reply_privately(
            services.sessions,
            caller,
            message=reply,
            key=f"connect-vendor:{command.get('trigger_id') or command.get('response_url')}",
            response_url=command.get("response_url"),
            received_at=received,
        )

    app.command(SPEC.name)(connect_vendor)


async def send_link(services: Services, owner: StateOwner) -> dict[str, Any]:
    """Issue a state and deliver the link: to the caller (returned) or by DM to the vendor.

    Returns the caller's private reply. Refuses a vendor who is already connected.
    """
    link = await _new_link(services, owner, retry_reason=None)
    if isinstance(link, str):
        return {"text": link}
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
    if isinstance(link, str):
        return False
    await _deliver(services, owner, link, by_dm=True)
    return True


@dataclass(frozen=True)
class _Link:
    message: dict[str, Any]  # the Connect with Stripe button
    state: str


async def _new_link(
    services: Services, owner: StateOwner, *, retry_reason: str | None
) -> _Link | str:
    """A fresh state and its Connect button message, or why there is none (a reply text)."""
    async with services.sessions() as session:
        vendor = await vendors.by_slack_user(session, owner.team_id, owner.slack_user_id)
    for_self = owner.slack_user_id == owner.requested_by
    if vendor is not None and vendor.status == "connected":
        who = None if for_self else owner.slack_user_id
        return already_connected(vendor.stripe_account_id, vendor_user_id=who)
    person, email = await _person(services, owner.slack_user_id)
    if not person:
        return f"<@{owner.slack_user_id}> is a bot or not in this workspace; pick a person."
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
        if url is None:
            return FAILED
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


async def _person(services: Services, user_id: str) -> tuple[bool, str | None]:
    """Whether `user_id` is a person in the workspace, and their email when Slack shares it.

    When Slack cannot be asked, assume a person without a known email (the link still works).
    """
    try:
        answer = await services.slack.users_info(user=user_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        return error not in ("user_not_found", "user_disabled"), None
    except Exception as exc:
        log.warning("users.info %s failed: %s", user_id, exc)
        return True, None
    user = answer.get("user") or {}
    if user.get("is_bot") or user.get("deleted"):
        return False, None
    email = (user.get("profile") or {}).get("email")
    return True, str(email) if email else None
