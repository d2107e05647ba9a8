"""App Home: `app_home_opened` publishes the tab for whoever opened it.

What the tab shows, as each person may see it, is `bot/vendors/home.py`; it is rebuilt each
time it is opened and nothing is stored.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.notifications.failures import is_network_error
from bot.services import Services
from bot.vendors.home import home_view

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to publish
        user = str(event["user"])
        team = str(body.get("team_id") or services.settings.slack_team_id or "")
        view = await home_view(services, team, user)
        try:
            await services.slack.views_publish(user_id=user, view=view)
        except SlackApiError as error:
            # Nobody to tell: the tab keeps its previous content until the next open.
            log.warning(
                "could not publish the App Home for %s: %s", user, error.response.get("error")
            )
        except Exception as error:
            if not is_network_error(error):
                raise
            # Nor for a lost answer: a DM about an "internal error" for opening a tab would
            # only alarm. The publish may even have landed; the next open publishes again.
            log.warning("could not publish the App Home for %s: network: %r", user, error)
