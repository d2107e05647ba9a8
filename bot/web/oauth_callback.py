"""`GET /stripe/oauth/callback`: where Stripe sends a vendor back after Connect OAuth (§3.3).

Every outcome is a page that says what happened and what to do next: connected (200),
declined (200), a state never issued, expired or already used (400, each its own page;
Stripe not called), rejected code (400), account held by someone else (409), exchange not
confirmed by Stripe (502). Thin: `bot.vendors.authorization` does the work (and says why a
code is sent to Stripe once, ever).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.services import SERVICES
from bot.stripe_ops.oauth import CALLBACK_PATH
from bot.stripe_ops.onboarding import REFRESH_PATH, RETURN_PATH
from bot.vendors.authorization import (
    NotLinked,
    StateRefused,
    claim_state,
    connect_with_code,
    record_declined,
)
from bot.vendors.connections import Conflict
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
    owner = await claim_state(services, state)
    if isinstance(owner, StateRefused):
        return _refused_page(owner)
    linked = await connect_with_code(services, owner, state=state, code=code)
    if isinstance(linked, NotLinked):
        page = unconfirmed_page if linked.unconfirmed else rejected_code_page
        return page(link_sent=linked.link_sent)
    if isinstance(linked.outcome, Conflict):
        return conflict_page(linked.outcome.account_id, linked.outcome.other_account)
    return connected_page(linked.outcome.account_id, linked.account)


def _refused_page(refused: StateRefused) -> web.Response:
    """A refused state's page says which refusal it was: the vendor's next step differs."""
    if refused.why == "used":
        return used_state_page(connected=refused.connected)
    return expired_state_page() if refused.why == "expired" else unknown_state_page()


async def _declined(
    request: web.Request, state: str, error: str, description: str | None
) -> web.Response:
    """The vendor said no (or Stripe refused the request): nothing stored but the audit entry."""
    await record_declined(request.app[SERVICES], state, error)
    if error == "access_denied":
        return declined_page()
    log.warning("Connect OAuth returned error %s: %s", error, description)
    return stripe_error_page(pages.escape(description or error))


def add_routes(app: web.Application) -> None:
    """The Connect OAuth redirect and the Account Links return/refresh pages."""
    app.router.add_get(CALLBACK_PATH, oauth_callback)
    app.router.add_get(RETURN_PATH, onboarding.onboarding_return)
    app.router.add_get(REFRESH_PATH, onboarding.onboarding_refresh)
