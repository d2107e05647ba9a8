"""Every slash command connectbot declares: name, one-line description, usage. Pure data.

`app.yaml` declares the same commands (a test holds the two together), and each command's
`help` reply and every refusal's usage text come from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    usage_hint: str
    usage: tuple[str, ...]

    def help_text(self) -> str:
        lines = [f"*{self.name}* — {self.description}", "Usage:"]
        lines += [f"• `{line}`" for line in self.usage]
        return "\n".join(lines)


# The periods /fees accepts (bot/commands/parsing/periods.py parses exactly these).
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
    ),
    CommandSpec(
        "/add-customer",
        "Add a customer and send them a link to save a card",
        "jane@example.com [Jane Doe]",
        ("/add-customer jane@example.com [Jane Doe]",),
    ),
    CommandSpec(
        "/share-customer",
        "Share a saved customer with a vendor",
        "@vendor jane@example.com",
        ("/share-customer @vendor jane@example.com",),
    ),
    CommandSpec(
        "/charge",
        "Charge a customer on a vendor's behalf, with the platform fee",
        "@vendor 100.00 [currency] [email] [description]",
        ("/charge @vendor 100.00 [currency] [email] [description]",),
    ),
    CommandSpec(
        "/refund",
        "Refund a charge in full or in part",
        "<charge ref> [amount]",
        (
            "/refund <cb_ch_… or pi_…> [amount]",
            "/refund — pick one of the recent charges (or press Refund… under a charge)",
        ),
    ),
    CommandSpec(
        "/fees",
        "Fee summary per vendor",
        f"[{_PERIODS}] [@vendor]",
        (
            f"/fees [{_PERIODS}] [@vendor]",
            "/fees yesterday · /fees last-week @vendor · /fees 2025-03 · /fees 2025-03-14",
        ),
    ),
)

BY_NAME = {spec.name: spec for spec in COMMANDS}
