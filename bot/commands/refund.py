"""`/refund <charge ref> [amount]` (operators): full or partial, the fee refunded in proportion.
`/refund` alone opens the refund modal with the recent refundable charges to pick from."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.parsing import CartRefundArgs, RefundArgs, parse_refund_command
from bot.refunds.carts import refund_cart
from bot.refunds.picker import picker_view
from bot.refunds.requests import request_refund
from bot.refusal import Refusal
from bot.services import Services

SPEC = BY_NAME["/refund"]


@dataclass(frozen=True, slots=True)
class PickACharge:
    """`/refund` with no charge named: pick one of the recent refundable charges."""


def parse(text: str, settings: Settings) -> RefundArgs | CartRefundArgs | PickACharge | Refusal:
    if not text:
        return PickACharge()
    return parse_refund_command(
        text, default_currency=settings.default_currency, max_amount=settings.max_charge_amount
    )


async def run(call: CommandCall[RefundArgs | CartRefundArgs | PickACharge]) -> Refusal | None:
    """Ack, then the refund's outcome privately; or the picker modal (with the usage when
    there is nothing to pick)."""
    await call.ack()  # Stripe (or the recent charges) next
    args = call.args
    if isinstance(args, PickACharge):
        view = await picker_view(
            call.services, team_id=call.team_id, response_url=call.response_url or ""
        )
        if isinstance(view, Refusal):
            return call.with_usage(view)
        await call.open_modal(view, what="the refund form")
        return None
    if isinstance(args, CartRefundArgs):
        refunded = await refund_cart(
            call.services,
            team_id=call.team_id,
            actor=call.user_id,
            cart_ref=args.cart_ref,
            vendor_user_ids=args.vendor_user_ids,
            request_key=call.request_key,
        )
        return await call.show(refunded if isinstance(refunded, Refusal) else refunded.text)
    result = await request_refund(
        call.services,
        team_id=call.team_id,
        actor=call.user_id,
        ref=args.charge_ref,
        amount_text=args.amount_text,
        request_key=call.request_key,
    )
    return await call.show(result if isinstance(result, Refusal) else result.text)


COMMAND = Command(SPEC, parse, run)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
