"""The App Home tab as each person may see it, read from the database as it is now.

What a person sees follows their role: operators and admins everything, a vendor their own
account, anyone else how to connect. "Today" is the current day in `DIGEST_TZ`, as in /fees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.notifications.digest_schedule import day_bounds
from bot.permissions import is_operator
from bot.services import Services
from bot.views.digest import day_label
from bot.views.home import (
    MAX_VENDORS,
    TOP_TODAY,
    HomeVendor,
    operator_home,
    stranger_home,
    vendor_home,
)
from storage.models import Vendor
from storage.repos import reports, vendors

RECENT = 10


def _home_vendor(v: Vendor) -> HomeVendor:
    return HomeVendor(
        v.slack_user_id, v.stripe_account_id, v.status, v.charges_enabled, livemode=v.livemode
    )


async def home_view(services: Services, team: str, user: str) -> dict[str, Any]:
    """The tab `user` may see, built from the database as it is now."""
    tz = ZoneInfo(services.settings.digest_tz)
    today = datetime.now(tz).date()
    start, end = day_bounds(today, tz)
    label = f"{day_label(today)} ({services.settings.digest_tz})"
    async with services.sessions() as session:
        if is_operator(services.settings, user):
            listed = await vendors.page(session, team, offset=0, limit=MAX_VENDORS)
            return operator_home(
                vendors=[_home_vendor(v) for v in listed],
                vendor_count=await vendors.count(session, team),
                day_label=label,
                today=await reports.currency_totals(session, team_id=team, start=start, end=end),
                top=await reports.fee_summary(
                    session, team_id=team, start=start, end=end, top=TOP_TODAY
                ),
                charges=await reports.recent_charges(session, team_id=team, limit=RECENT),
            )
        own = await vendors.by_slack_user(session, team, user)
        if own is None:
            return stranger_home()
        return vendor_home(
            vendor=_home_vendor(own),
            day_label=label,
            today=await reports.currency_totals(
                session, team_id=team, start=start, end=end, vendor_user_id=user
            ),
            charges=await reports.recent_charges(
                session, team_id=team, limit=RECENT, vendor_user_id=user
            ),
        )
