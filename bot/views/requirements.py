"""What Stripe needs from a vendor, and a capability changing (pure).

An account's `requirements` (https://docs.stripe.com/api/accounts/object#account_object-requirements):
`past_due` "Fields that weren't collected by current_deadline. These fields need to be
collected to enable the account"; `currently_due` "Fields that need to be collected to keep
the account enabled. If not collected by current_deadline, these fields appear in past_due as
well, and the account is disabled"; `eventually_due` "Fields that need to be collected
assuming all volume thresholds are reached". Field names are Stripe's paths
(`individual.verification.document`); the common ones read in words here, the rest as a path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.views.dashboard import dashboard_link
from bot.views.message import message

#: Stripe's requirement field (or its last parts) → words ("Required verification
#: information", https://docs.stripe.com/connect/required-verification-information).
NAMES = {
    "external_account": "a bank account for payouts",
    "business_profile.url": "the business website",
    "business_profile.mcc": "the business category",
    "business_profile.product_description": "a description of what the business sells",
    "business_type": "the business type",
    "tos_acceptance.date": "acceptance of Stripe's terms of service",
    "tos_acceptance.ip": "acceptance of Stripe's terms of service",
    "company.tax_id": "the company's tax ID",
    "company.name": "the company's legal name",
    "company.phone": "the company's phone number",
    "company.address": "the company's address",
    "company.owners_provided": "the company's owners",
    "company.directors_provided": "the company's directors",
    "id_number": "an ID number (SSN or national ID)",
    "ssn_last_4": "the last 4 digits of the SSN",
    "dob": "date of birth",
    "address": "address",
    "first_name": "first name",
    "last_name": "last name",
    "email": "email address",
    "phone": "phone number",
    "verification.document": "an identity document",
    "verification.additional_document": "a proof-of-address document",
}
_PEOPLE = {"individual": "", "representative": "the representative's "}
_MAX_SHOWN = 8


def requirement_name(field: str) -> str:
    """A requirement field in words: `individual.dob.day` → "date of birth"."""
    if field in NAMES:
        return NAMES[field]
    head, _, rest = field.partition(".")
    if head in _PEOPLE or head.startswith("person_"):
        owner = _PEOPLE.get(head, "a person's ")
        for key in sorted(NAMES, key=len, reverse=True):
            if rest == key or rest.startswith(key + "."):
                # "the representative's ID number", not "…'s an ID number"
                return owner + (
                    NAMES[key].removeprefix("an ").removeprefix("a ") if owner else NAMES[key]
                )
    for key in sorted(NAMES, key=len, reverse=True):
        if field.startswith(key + "."):
            return NAMES[key]
    return field.replace("_", " ").replace(".", " › ")


def requirement_names(fields: Iterable[str]) -> list[str]:
    """Distinct names, in Stripe's order (a date of birth's day, month, year read once)."""
    seen: dict[str, None] = {}
    for field in fields:
        seen.setdefault(requirement_name(field), None)
    return list(seen)


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_MAX_SHOWN])
    more = len(names) - _MAX_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def requirements_message(
    *,
    vendor_label: str,
    account: str,
    livemode: bool,
    past_due: Sequence[str],
    currently_due: Sequence[str],
    eventually_due: Sequence[str],
    deadline: int | None,
    disabled_reason: str | None,
) -> dict[str, Any]:
    """What Stripe needs from the vendor and by when; the most urgent first. Callers send it
    only when something is due (past, now, or eventually)."""
    past = requirement_names(past_due)
    now = [n for n in requirement_names(currently_due) if n not in past]
    later = [n for n in requirement_names(eventually_due) if n not in past and n not in now]
    lines = []
    if past:
        lines.append(f"*Overdue:* {_listed(past)}")
    if now:
        by = f" by {_day(deadline)}" if deadline else ""
        lines.append(f"*Due now{by}:* {_listed(now)}")
    if later:
        lines.append(f"*Eventually (as volume grows):* {_listed(later)}")
    if past or disabled_reason:
        head = f"Stripe has restricted {vendor_label}'s account until it gets more information."
    elif now:
        head = f"Stripe needs more information from {vendor_label}" + (
            f" by {_day(deadline)}." if deadline else "."
        )
    else:
        head = f"Stripe will need more information from {vendor_label} as their volume grows."
    link = dashboard_link(account, livemode=livemode)
    advice = "The vendor provides it in their Stripe Dashboard (Settings → Business details)."
    return message(
        f"{head} " + ". ".join(line.replace("*", "") for line in lines) + ".",
        [
            SectionBlock(text=MarkdownTextObject(text=f":clipboard: *{head}*")),
            SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
            ContextBlock(elements=[MarkdownTextObject(text=f"{advice} Account {link}")]),
        ],
    )


#: https://docs.stripe.com/api/capabilities/object (`status`), in words.
CAPABILITY_STATUSES = {
    "active": "active",
    "inactive": "inactive: Stripe needs more information",
    "pending": "pending while Stripe reviews the account",
    "unrequested": "not requested",
    "disabled": "disabled",
}


def capability_message(
    *,
    vendor_label: str,
    account: str,
    livemode: bool,
    capability: str,
    status: str,
    before: str | None,
) -> dict[str, Any]:
    """A capability (`card_payments`, `transfers`, …) changed status."""
    name = capability.replace("_", " ")
    words = CAPABILITY_STATUSES.get(status, status.replace("_", " "))
    was = f" (was {before.replace('_', ' ')})" if before else ""
    icon = ":white_check_mark:" if status == "active" else ":no_entry:"
    text = f"{vendor_label}'s {name} capability is now {words}{was}."
    link = dashboard_link(account, livemode=livemode)
    return message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=f"{icon} {text}")),
            ContextBlock(elements=[MarkdownTextObject(text=f"Account {link}")]),
        ],
    )


def _day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
