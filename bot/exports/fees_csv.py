"""`/fees <period> csv`: every counted charge of a period as a CSV file shared in the channel.

The rows come from the database in batches into a temporary file (the upload announces its
length first), so a long period never has its charges in memory at once. The totals are summed
from the very rows written, which are the charges /fees counts (`fee_selection`), so the file's
totals are /fees' figures to the cent. Slack is called only after the database session closed.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient

from bot.notifications.files import NotShared, share_file
from bot.refusal import Refusal
from bot.services import Services
from bot.views.fees_csv import (
    COLUMNS,
    CurrencySums,
    charge_cells,
    export_comment,
    export_filename,
    not_shared,
    nothing_to_export,
    totals_cells,
)
from storage.repos import audit
from storage.repos.exports import stream_charges


async def write_fees_csv(
    services: Services,
    target: Path,
    *,
    team_id: str,
    start: datetime,
    end: datetime,
    vendor_user_id: str | None,
) -> list[CurrencySums]:
    """Write the charges /fees counts for these arguments to `target` (header, one row per
    charge oldest first, then a totals row per currency); the totals, by currency code."""
    tz = ZoneInfo(services.settings.digest_tz)
    sums: dict[str, CurrencySums] = {}
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        async with services.sessions() as session:
            charges = stream_charges(
                session, team_id=team_id, start=start, end=end, vendor_user_id=vendor_user_id
            )
            async for charge in charges:
                writer.writerow(charge_cells(charge, tz))
                sums.setdefault(charge.currency, CurrencySums(charge.currency)).add(charge)
        ordered = [sums[c] for c in sorted(sums)]
        for currency_sums in ordered:
            writer.writerow(totals_cells(currency_sums))
    return ordered


async def share_fees_csv(
    services: Services,
    client: AsyncWebClient,
    *,
    team_id: str,
    requested_by: str,
    channel_id: str,
    label: str,
    period: str,
    start: datetime,
    end: datetime,
    vendor_user_id: str | None,
) -> Refusal | None:
    """Share the CSV of the period's counted charges (one vendor's when given) in
    `channel_id`, with a one-line summary of the totals. Refuses (nothing shared) a period
    without charges, and a channel Slack will not let the app share in, saying what to do.
    Every export that leaves connectbot (customer emails with it) gets an audit row saying
    who shared which period where; one that shared nothing gets none."""
    with tempfile.TemporaryDirectory(prefix="connectbot-export-") as folder:
        filename = export_filename(period, vendor_user_id)
        target = Path(folder) / filename
        sums = await write_fees_csv(
            services, target, team_id=team_id, start=start, end=end, vendor_user_id=vendor_user_id
        )
        if not sums:
            return Refusal(nothing_to_export(label))
        shared = await share_file(
            client,
            path=target,
            filename=filename,
            title=f"Fees · {label}",
            channel_id=channel_id,
            comment=export_comment(label, sums, vendor_user_id),
        )
    if isinstance(shared, NotShared):
        return Refusal(not_shared(shared.error))
    async with services.sessions.begin() as session:
        await audit.record(
            session,
            actor=requested_by,
            action="fees.export",
            target=channel_id,
            outcome="shared",
            team_id=team_id,
            detail={"period": period, "vendor": vendor_user_id, "file": filename},
        )
    return None
