"""Every slash command connectbot declares: name, one-line description, usage. Pure data.

`app.yaml` declares the same commands (a test holds the two together), and each command's
`help` reply and every refusal's usage text come from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Who may run a usage line, from least to most allowed (operators may do what vendors may:
#: list vendors, read fees; admins everything).
Role = Literal["anyone", "vendor", "operator", "admin"]
RANKS: dict[Role, int] = {"anyone": 0, "vendor": 1, "operator": 2, "admin": 3}


@dataclass(frozen=True)
class CommandSpec:
    """`usage` lines and `roles` (who may run each line) go in pairs; `action` says in a few
    words what the command does, for telling someone who may not run it ("charge customers")."""

    name: str
    description: str
    usage_hint: str
    usage: tuple[str, ...]
    roles: tuple[Role, ...]
    action: str

    def __post_init__(self) -> None:
        if len(self.usage) != len(self.roles):
            raise ValueError(f"{self.name}: one role per usage line")

    def runnable_by(self, role: Role) -> bool:
        """Whether someone with `role` may run at least one form of the command."""
        return any(RANKS[role] >= RANKS[needed] for needed in self.roles)

    def help_text(self, role: Role = "admin") -> str:
        """The usage lines `role` may run (all of them by default). A caller who may run none
        should be refused instead (`runnable_by`), never shown a usage they cannot use."""
        lines = [f"*{self.name}* — {self.description}", "Usage:"]
        lines += [
            f"• `{line}`"
            for line, needed in zip(self.usage, self.roles, strict=True)
            if RANKS[role] >= RANKS[needed]
        ]
        return "\n".join(lines)


# The periods /fees accepts (bot/parsing/periods.py parses exactly these).
_PERIODS = (
    "today|yesterday|week|last-week|month|last-month|YYYY-MM|YYYY-MM-DD|YYYY-MM-DD..YYYY-MM-DD"
)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "/connect-vendor",
        "Connect a vendor's Stripe account",
        "[@vendor]",
        (
            "/connect-vendor — get your own Connect with Stripe link",
            "/connect-vendor @vendor — send the link to a vendor (admins, operators)",
        ),
        ("anyone", "operator"),
        "send a Connect with Stripe link to someone else",
    ),
    CommandSpec(
        "/vendors",
        "List vendors and change their settings",
        "[fee|channel|disconnect @vendor …]",
        (
            "/vendors — list vendors",
            "/vendors fee @vendor 5% + 0.30 — per-vendor platform fee (admins)",
            "/vendors channel @vendor #channel — where their notifications go (admins)",
            "/vendors disconnect @vendor — disconnect the platform from their account (admins)",
        ),
        ("vendor", "admin", "admin", "admin"),
        "list vendors",
    ),
    CommandSpec(
        "/add-customer",
        "Add a customer and send them a link to save a card",
        "jane@example.com [Jane Doe]",
        ("/add-customer jane@example.com [Jane Doe]",),
        ("operator",),
        "add customers",
    ),
    CommandSpec(
        "/share-customer",
        "Share a saved customer with a vendor",
        "@vendor jane@example.com",
        ("/share-customer @vendor jane@example.com",),
        ("operator",),
        "share customers with vendors",
    ),
    CommandSpec(
        "/charge",
        "Charge a customer on a vendor's behalf, with the platform fee",
        "@vendor 100.00 [@vendor 40.00 …] [currency] [email] [description]",
        (
            "/charge @vendor 100.00 [currency] [email] [description]",
            "/charge @vera 60.00 @victor 40.00 [currency] [email] [description] — a split cart",
        ),
        ("operator", "operator"),
        "charge customers",
    ),
    CommandSpec(
        "/refund",
        "Refund a charge in full or in part, or a split cart's parts",
        "<charge or cart ref> [amount|all|@vendor…]",
        (
            "/refund <cb_ch_… or pi_…> [amount]",
            "/refund <cb_cart_…> all|@vendor… — a split cart's parts",
            "/refund — pick one of the recent charges (or press Refund… under a charge)",
        ),
        ("operator", "operator", "operator"),
        "refund charges",
    ),
    CommandSpec(
        "/fees",
        "Fee summary per vendor, or its charges as a CSV file",
        f"[{_PERIODS}] [csv] [@vendor]",
        (
            f"/fees [{_PERIODS}] [@vendor]",
            "/fees yesterday · /fees last-week @vendor · /fees 2025-03 · /fees 2025-03-14",
            "/fees month csv [@vendor] — every charge as a CSV file in this channel",
        ),
        ("vendor", "vendor", "vendor"),
        "see fees",
    ),
    CommandSpec(
        "/payouts",
        "Balance and payouts of a vendor's Stripe account",
        "[@vendor]",
        (
            "/payouts — your own balance, last and next payout",
            "/payouts @vendor — a vendor's (admins, operators)",
        ),
        ("vendor", "operator"),
        "see payouts",
    ),
    CommandSpec(
        "/notify",
        "Choose more Stripe events to announce, and where",
        "[list|add|remove] <event type> [#channel]",
        (
            "/notify list — the Stripe events announced because an admin chose them",
            "/notify add <event type> [#channel] — announce it, e.g. `customer.created` or "
            "`payout.*` (admins)",
            "/notify remove <event type> [#channel] — stop announcing it (admins)",
        ),
        ("operator", "admin", "admin"),
        "see which Stripe events are announced",
    ),
)

BY_NAME = {spec.name: spec for spec in COMMANDS}
