"""`/fees [period] [@vendor]`: totals per currency, then the vendors with the most gross.

Operators and admins may ask about every vendor; a vendor only about themselves (their own
summary is what they get, whatever vendor they name); anyone else is refused. Dates are days
in `DIGEST_TZ`, so "today" is the platform's business day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.commands.catalog import BY_NAME, Role
from bot.money import Refusal
from bot.parsing import Period, parse_fees_command
from bot.permissions import is_operator
from bot.services import Services
from bot.views.fees import fee_summary_message, top_per_currency
from storage.repos import reports, vendors

SPEC = BY_NAME["/fees"]
NOT_ALLOWED = (
    "Only connectbot operators, admins and vendors can see fees. "
    "Ask a connectbot admin if you need to."
)


def period_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC for the whole days of `period` in `tz`."""
    start = datetime.combine(period.start, time.min, tz).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tz).astimezone(UTC)
    return start, end


def typed_again(period: Period) -> str:
    """The period as `/fees` reads it back: one date, or a range."""
    if period.start == period.end:
        return period.start.isoformat()
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/fees")
    async def fees(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        settings = services.settings
        user, team = str(command["user_id"]), str(command["team_id"])
        # Who asks decides what help shows and which vendors are summed: an operator sees all,
        # a vendor only their own (whatever vendor they name), anyone else is refused.
        role: Role | None = "operator" if is_operator(settings, user) else None
        if role is None:
            async with services.sessions() as session:
                own = await vendors.by_slack_user(session, team, user)
            role = "vendor" if own is not None else None
        if role is None:
            await ack(NOT_ALLOWED)
            return
        if text.lower() == "help":
            await ack(SPEC.help_text(role))
            return
        tz = ZoneInfo(settings.digest_tz)
        args = parse_fees_command(text, today=datetime.now(tz).date())
        if isinstance(args, Refusal):
            await ack(f"{args.message}\n\n{SPEC.help_text(role)}")
            return
        vendor_filter = user if role == "vendor" else args.vendor_user_id
        await ack()
        start, end = period_bounds(args.period, tz)
        async with services.sessions() as session:
            currencies = await reports.currency_totals(
                session, team_id=team, start=start, end=end, vendor_user_id=vendor_filter
            )
            totals = await reports.fee_summary(
                session,
                team_id=team,
                start=start,
                end=end,
                vendor_user_id=vendor_filter,
                top=top_per_currency(len(currencies)),
            )
        summary = fee_summary_message(
            args.period.label,
            currencies,
            totals,
            one_vendor=vendor_filter is not None,
            period=typed_again(args.period),
        )
        await respond(**summary, response_type="in_channel")
