"""Slash-command listeners, one module per command, each written with `template.py`:
`SPEC`, a pure `parse`, a module-level `run`, `COMMAND` and `register(app, services)`."""

from __future__ import annotations

from types import ModuleType

from slack_bolt.async_app import AsyncApp

from bot.commands import (
    add_customer,
    charge,
    connect_vendor,
    fees,
    notify,
    payouts,
    refund,
    share_customer,
    vendors,
)
from bot.commands.catalog import COMMANDS
from bot.services import Services

MODULES: dict[str, ModuleType] = {
    "/connect-vendor": connect_vendor,
    "/vendors": vendors,
    "/add-customer": add_customer,
    "/share-customer": share_customer,
    "/charge": charge,
    "/refund": refund,
    "/fees": fees,
    "/payouts": payouts,
    "/notify": notify,
}


def register(app: AsyncApp, services: Services) -> None:
    """Register every command of the catalog; a declared command without a module is a bug."""
    missing = {spec.name for spec in COMMANDS} - set(MODULES)
    if missing:
        raise RuntimeError(f"commands declared but not implemented: {sorted(missing)}")
    for module in MODULES.values():
        module.register(app, services)
