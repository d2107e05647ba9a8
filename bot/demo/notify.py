"""The demo's `/notify` step: Ada has every new customer announced in #general.

A step of its own module so the story in `script.py` gains one line; the event is the real
`customer.created` the fake Stripe sends when Otto's next `/add-customer` creates Jane.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.demo.stage import Stage, StepFailed
from bot.sandbox_workspace import ADMIN, GENERAL_CHANNEL, OPS_CHANNEL


async def choose_new_customers(stage: Stage) -> None:
    """Ada subscribes #general to `customer.created`; the next step's customer shows there."""
    await stage.command(ADMIN, "/notify add customer.created #general", channel=OPS_CHANNEL)
    await stage.wait_for_message(
        OPS_CHANNEL,
        "`customer.created` events are announced in",
        for_user=ADMIN,
        what="Ada told /notify took the type",
    )


def new_customer_announced(
    step: Callable[[Stage], Awaitable[None]],
) -> Callable[[Stage], Awaitable[None]]:
    """`step` (which creates a customer), then the check that #general got the generic
    announcement of the new customer, with its Dashboard link."""

    async def run(stage: Stage) -> None:
        await step(stage)
        message = await stage.wait_for_message(
            GENERAL_CHANNEL,
            "customer.created",
            "dashboard.stripe.com/test/customers/cus_",
            what="#general told of the new customer (/notify)",
        )
        if "on the platform" not in str(message.get("text", "")):
            raise StepFailed("the new customer was not announced as the platform's")

    return run
