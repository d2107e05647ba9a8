"""The harness's closing checks really fail a test that sent Stripe a bad request, or whose
ledger disagrees with Stripe's.

Each test sends, with connectbot's own Stripe clients, a request Stripe would refuse (or breaks
the agreement between connectbot's rows and the fake Stripe) and expects the harness to fail it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import stripe
from sqlalchemy import update

from bot.services import SERVICES
from storage.models import Charge
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.harness import OPERATOR, Connectbot, running_connectbot

REFUSED = "requests Stripe would refuse"
DISAGREE = "connectbot and Stripe disagree"


def api(cb: Connectbot) -> Any:
    return cb.app[SERVICES].stripe.api.v1


async def test_a_request_stripe_would_refuse_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=REFUSED):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            with pytest.raises(stripe.InvalidRequestError):
                await api(cb).customers.create_async(params={"email_address": "x@example.com"})


async def test_a_request_option_sent_as_a_parameter_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="Received unknown parameter: stripe_account"):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            vendor = await connected_vendor(cb, "U0VENDOR1")
            before = cb.stripe.object_count()
            params: Any = {"email": "x@example.com", "stripe_account": vendor.stripe_account_id}
            with pytest.raises(stripe.InvalidRequestError) as refused:
                await api(cb).customers.create_async(params=params)
            assert refused.value.code == "parameter_unknown"
            assert cb.stripe.object_count() == before  # on no account at all


async def test_a_value_stripe_would_refuse_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"Amount must be at least £0\.30 gbp"):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            vendor = await connected_vendor(cb, "U0VENDOR1")
            with pytest.raises(stripe.InvalidRequestError):
                await api(cb).payment_intents.create_async(
                    params={"amount": 29, "currency": "gbp"},
                    options={"stripe_account": vendor.stripe_account_id},
                )


async def test_an_oauth_request_with_an_unknown_parameter_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="POST /oauth/token: Received unknown parameter: "):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            oauth = cb.app[SERVICES].stripe.oauth.oauth
            params: Any = {
                "grant_type": "authorization_code",
                "code": "ac_unknown",
                "redirect_uri": "https://example.com/callback",  # not a /oauth/token param
            }
            with pytest.raises(stripe.oauth_error.InvalidGrantError):
                await asyncio.to_thread(oauth.token, params=params)


async def test_naming_an_object_under_an_account_it_is_not_on_fails_the_test(
    tmp_path: Path,
) -> None:
    with pytest.raises(AssertionError, match=r"payment_intent pi_\w+ lives on acct_\w+, but"):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            owner = await connected_vendor(cb, "U0VENDOR1")
            other = await connected_vendor(cb, "U0VENDOR2")
            intent = await api(cb).payment_intents.create_async(
                params={"amount": 1000, "currency": "usd"},
                options={"stripe_account": owner.stripe_account_id},
            )
            with pytest.raises(stripe.InvalidRequestError) as missing:
                await api(cb).payment_intents.retrieve_async(
                    intent.id, options={"stripe_account": other.stripe_account_id}
                )
            assert missing.value.http_status == 404


async def _charged(cb: Connectbot) -> Charge:
    await connected_vendor(cb, "U0VENDOR1")
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(
        cb, "<@U0VENDOR1|vendor> 100.00 jane@example.com", user=OPERATOR
    )
    assert charge.status == "succeeded"
    return charge


async def test_a_ledger_that_agrees_passes(tmp_path: Path) -> None:
    async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
        await _charged(cb)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount_refunded": 100}, r"amount_refunded is 100 here, 0 on Stripe"),
        ({"application_fee_amount": 999}, r"application_fee_amount is 999 here, 1000 on"),
        ({"status": "failed"}, r"is failed but pi_\w+ took the money"),
    ],
)
async def test_a_ledger_that_disagrees_with_stripe_fails_the_test(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(AssertionError, match=f"{DISAGREE}(.|\n)*{message}"):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            charge = await _charged(cb)
            async with cb.sessions.begin() as session:
                await session.execute(update(Charge).where(Charge.id == charge.id).values(**change))


async def test_a_charge_paid_twice_on_stripe_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=rf"{DISAGREE}(.|\n)*was paid 2 times on Stripe"):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            charge = await _charged(cb)
            assert charge.request_params is not None
            again = dict(charge.request_params["params"])
            await api(cb).payment_intents.create_async(
                params=again,
                options={"stripe_account": charge.request_params["stripe_account"]},
            )


async def _refunded_in_the_dashboard(cb: Connectbot) -> Charge:
    """A charge, then a partial refund made outside connectbot, handled through its webhooks."""
    charge = await _charged(cb)
    assert charge.request_params is not None
    await api(cb).refunds.create_async(
        params={
            "payment_intent": str(charge.payment_intent_id),
            "amount": 2500,
            "refund_application_fee": True,
        },
        options={"stripe_account": charge.request_params["stripe_account"]},
    )
    await cb.events_handled()
    return charge


async def test_a_refund_made_outside_connectbot_is_in_its_ledger(tmp_path: Path) -> None:
    async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
        await _refunded_in_the_dashboard(cb)


async def test_a_ledger_behind_stripe_once_every_event_is_handled_fails_the_test(
    tmp_path: Path,
) -> None:
    with pytest.raises(AssertionError, match=f"{DISAGREE}(.|\n)*amount_refunded is 2499 here"):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            charge = await _refunded_in_the_dashboard(cb)
            async with cb.sessions.begin() as session:
                await session.execute(
                    update(Charge).where(Charge.id == charge.id).values(amount_refunded=2499)
                )
