"""The /fees summary (pure: totals in, Block Kit out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.money import Money, format_money
from bot.views.message import message
from storage.repos.reports import VendorTotals


def fee_summary_message(label: str, totals: Sequence[VendorTotals]) -> dict[str, Any]:
    """Per vendor and currency: count, gross, platform fees, refunds, net to the vendor."""
    if not totals:
        return message(f"Fees for {label}: no charges.")
    lines = []
    blocks: list[Any] = [HeaderBlock(text=f"Fees · {label}"[:150])]
    for t in totals[:40]:  # a Slack message holds 50 blocks; more vendors get the first 40

        def m(amount: int, currency: str = t.currency) -> str:
            return format_money(Money(amount, currency))

        line = (
            f"<@{t.vendor_user_id}>: {t.count} charge{'s' if t.count != 1 else ''}, "
            f"gross {m(t.gross)}, platform fees {m(t.fees)}, refunds {m(t.refunds)}, "
            f"net to vendor {m(t.net)}"
        )
        lines.append(line)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"<@{t.vendor_user_id}> · `{t.stripe_account_id}`"),
                fields=[
                    MarkdownTextObject(text=f"*Charges*\n{t.count}"),
                    MarkdownTextObject(text=f"*Gross*\n{m(t.gross)}"),
                    MarkdownTextObject(text=f"*Platform fees*\n{m(t.fees)}"),
                    MarkdownTextObject(text=f"*Refunds*\n{m(t.refunds)}"),
                    MarkdownTextObject(text=f"*Net to vendor*\n{m(t.net)}"),
                ],
            )
        )
    if len(totals) > 40:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"and {len(totals) - 40} more")])
        )
    return message(f"Fees for {label}:\n" + "\n".join(lines), blocks)
