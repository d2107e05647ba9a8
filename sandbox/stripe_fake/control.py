"""Control routes (not Stripe's): request log, faults, reset, account state, disputes, webhooks."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import json_response
from .disputes import withdraw_funds
from .events import flush, record
from .faults import KINDS as FAULT_KINDS
from .store import STATE_KEY, Fault, new_id, render, skeleton


async def requests_log(request: web.Request) -> web.Response:
    return json_response(request.app[STATE_KEY].requests)


async def add_fault(request: web.Request) -> web.Response:
    body: dict[str, Any] = await request.json()
    kind = str(body.get("kind", "500"))
    if kind not in FAULT_KINDS or "path" not in body:
        return json_response({"error": f"need path and kind in {FAULT_KINDS}"}, 400)
    fault = Fault(
        method=str(body.get("method", "POST")).upper(),
        path=str(body["path"]),
        kind=kind,
        count=int(body.get("count", 1)),
        seconds=float(body.get("seconds", 90)),
        account=str(body["account"]) if body.get("account") else None,
    )
    request.app[STATE_KEY].faults.append(fault)
    return json_response({"ok": True, "fault": fault.__dict__})


async def clock(request: web.Request) -> web.Response:
    """``{"advance": seconds}`` moves the fake clock forward; answers the fake's time now."""
    state = request.app[STATE_KEY]
    body: dict[str, Any] = await request.json() if request.can_read_body else {}
    try:
        seconds = float(body.get("advance", 0))
        state.clock.advance(seconds)
    except (TypeError, ValueError):
        return json_response({"error": "advance must be a number of seconds >= 0"}, 400)
    return json_response({"now": state.clock.now(), "offset": state.clock.offset})


async def reset(request: web.Request) -> web.Response:
    request.app[STATE_KEY].reset()
    return json_response({"ok": True})


async def update_account(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    acct = state.objects.get(request.match_info["id"])
    if acct is None or acct.get("object") != "account":
        return json_response({"error": "no such account"}, 404)
    body: dict[str, Any] = await request.json()
    previous: dict[str, Any] = {}
    for key in ("charges_enabled", "payouts_enabled", "details_submitted"):
        if key in body:
            previous[key] = acct[key]
            acct[key] = bool(body[key])
    change = body.get("requirements")
    if change is None and body.get("details_submitted") and body.get("charges_enabled"):
        # Onboarding finished: what it asked for is collected and the account is enabled
        # (disabled_reason is null once charges are enabled, docs.stripe.com/api/accounts/
        # object: requirements.disabled_reason).
        change = {"currently_due": [], "past_due": [], "disabled_reason": None}
        # "card_payments": "The status of the card payments capability of the account, or
        # whether the account can directly process credit and debit card charges".
        acct["capabilities"] = {**(acct.get("capabilities") or {}), "card_payments": "active"}
    if isinstance(change, dict):
        previous["requirements"] = dict(acct["requirements"])
        acct["requirements"] = requirements_after(acct["requirements"], change)
    record(
        state,
        "account.updated",
        acct,
        account=acct["id"],
        livemode=bool(acct.get("_livemode")),
        previous=previous,
    )
    return json_response(render(acct))


#: The lists of a ``requirements`` hash (docs.stripe.com/api/accounts/object: requirements).
_REQUIREMENT_LISTS = ("currently_due", "eventually_due", "past_due", "pending_verification")


def requirements_after(current: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``change``'s lists (field names), ``current_deadline`` (a timestamp or
    None) and ``disabled_reason``. Stripe keeps ``currently_due`` a superset of ``past_due``
    ("Fields that need to be collected to keep the account enabled. If not collected by
    current_deadline, these fields appear in past_due as well"), and ``eventually_due`` a
    superset of ``currently_due`` ("Fields that need to be collected assuming all volume
    thresholds are reached"), so those are widened to match."""
    after = dict(current)
    for key in _REQUIREMENT_LISTS:
        if key in change:
            after[key] = [str(item) for item in change[key]]
    after["currently_due"] = sorted({*after["currently_due"], *after["past_due"]})
    after["eventually_due"] = sorted({*after["eventually_due"], *after["currently_due"]})
    for key in ("current_deadline", "disabled_reason"):
        if key in change:
            after[key] = change[key]
    return after


async def create_dispute(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body: dict[str, Any] = await request.json()
    charge = state.objects.get(str(body.get("charge")))
    if charge is None or charge.get("object") != "charge":
        return json_response({"error": "no such charge"}, 404)
    account = state.owner(charge["id"])
    dispute = skeleton("dispute")
    created = state.clock.now()
    dispute.update(
        id=new_id("dp"),
        amount=int(body.get("amount", charge["amount"])),
        charge=charge["id"],
        created=created,
        currency=charge["currency"],
        livemode=charge["livemode"],
        metadata={},
        payment_intent=charge["payment_intent"],
        reason=str(body.get("reason", "fraudulent")),
        # An inquiry (``"inquiry": true``) is a warning: no funds move until it escalates.
        status="warning_needs_response" if body.get("inquiry") else "needs_response",
        is_charge_refundable=False,
        balance_transactions=[],
        evidence_details={
            "due_by": created + 7 * 86400,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
    )
    state.put(dispute, account)
    charge["disputed"] = True
    record(state, "charge.dispute.created", dispute, account=account)
    withdraw_funds(state, account, dispute)
    return json_response(render(dispute))


async def deliver(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    await flush(state)
    return json_response({"ok": True, "events": _event_summaries(state.events)})


def _event_summaries(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**render(e), "delivery": dict(e["_delivery"])} for e in events]


async def events_log(request: web.Request) -> web.Response:
    return json_response(_event_summaries(request.app[STATE_KEY].events))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/_fake/requests", requests_log)
    app.router.add_post("/_fake/faults", add_fault)
    app.router.add_post("/_fake/reset", reset)
    app.router.add_post("/_fake/clock", clock)
    app.router.add_post("/_fake/accounts/{id}", update_account)
    app.router.add_post("/_fake/disputes", create_dispute)
    app.router.add_post("/_fake/deliver", deliver)
    app.router.add_get("/_fake/events", events_log)
