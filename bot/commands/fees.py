"""`/fees [period] [csv] [@vendor]`: totals per currency, then the vendors with the most gross;
with `csv`, every counted charge as a CSV file shared in the channel (`bot.exports`).

Operators and admins may ask about every vendor; a vendor only about themselves (their own
summary is what they get, whatever vendor they name); anyone else is refused. Dates are days
in `DIGEST_TZ`, so "today" is the platform's business day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp

from bot.commands.catalog import BY_NAME
from bot.commands.template import Command, CommandCall, register_command
from bot.config import Settings
from bot.exports.fees_csv import share_fees_csv
from bot.parsing import FeesArgs, Period, parse_fees_command
from bot.refusal import Refusal
from bot.services import Services
from bot.views.fees import fee_summary_message, top_per_currency
from bot.views.fees_csv import preparing
from storage.repos import reports

SPEC = BY_NAME["/fees"]


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


def parse(text: str, settings: Settings) -> FeesArgs | Refusal:
    return parse_fees_command(text, today=datetime.now(ZoneInfo(settings.digest_tz)).date())


async def run(call: CommandCall[FeesArgs]) -> Refusal | None:
    """The summary, posted in the conversation; a vendor's own whatever vendor they name."""
    args = call.args
    vendor_filter = call.user_id if call.role == "vendor" else args.vendor_user_id
    start, end = period_bounds(args.period, ZoneInfo(call.settings.digest_tz))
    if args.csv:
        await call.ack(preparing(args.period.label))
        return await share_fees_csv(
            call.services,
            call.client,
            team_id=call.team_id,
            requested_by=call.user_id,
            channel_id=call.channel_id,
            label=args.period.label,
            period=typed_again(args.period),
            start=start,
            end=end,
            vendor_user_id=vendor_filter,
        )
    await call.ack()
    async with call.services.sessions() as session:
        currencies = await reports.currency_totals(
            session, team_id=call.team_id, start=start, end=end, vendor_user_id=vendor_filter
        )
        totals = await reports.fee_summary(
            session,
            team_id=call.team_id,
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
        livemode=call.services.settings.livemode,
    )
    await call.answer_in_channel(summary)
    return None


COMMAND = Command(SPEC, parse, run)


def register(app: AsyncApp, services: Services) -> None:
    register_command(app, services, COMMAND)
