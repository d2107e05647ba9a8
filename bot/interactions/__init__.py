"""Modal submissions, button actions and the App Home; each module in MODULES exposes
`register(app, services)` (`modal_state` is what the charge and cart modals share to read a
submission)."""

from __future__ import annotations

from types import ModuleType

from slack_bolt.async_app import AsyncApp

from bot.interactions import approvals, cart, charge, home, refunds, vendors
from bot.services import Services

MODULES: tuple[ModuleType, ...] = (vendors, charge, cart, approvals, refunds, home)


def register(app: AsyncApp, services: Services) -> None:
    for module in MODULES:
        module.register(app, services)
