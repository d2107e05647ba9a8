"""What a vendor should do when Stripe could not pay a payout out, by Stripe's failure code.

The codes and their meaning are Stripe's (https://docs.stripe.com/api/payouts/failures); the
advice follows Stripe's own "How to resolve" column
(https://support.stripe.com/questions/payout-failure-codes-in-brazil-and-how-to-resolve) and,
for a Standard account, where that is done: the vendor's own Stripe Dashboard (Settings →
Payouts / bank accounts), since connectbot cannot change a Standard account's bank details.
When a payout fails Stripe disables the bank account until it is updated, and the money goes
back to the vendor's Stripe balance ("Managing Connect payout failures",
https://support.stripe.com/questions/managing-connect-payout-failures).
"""

from __future__ import annotations

_NEW_BANK = "Add a new bank account in your Stripe Dashboard (Settings → Payouts)."
_CHECK_DETAILS = (
    "Check the bank account details in your Stripe Dashboard (Settings → Payouts) and correct them."
)
_CALL_BANK = "Call your bank to lift the restriction, or add another bank account in Stripe."

ADVICE: dict[str, str] = {
    "account_closed": _NEW_BANK,
    "account_frozen": _CALL_BANK,
    "bank_account_restricted": (
        "Use a checking account that accepts payouts: add it in your Stripe Dashboard "
        "(Settings → Payouts)."
    ),
    "bank_ownership_changed": (
        "Ask your bank for the account's new details and update them in your Stripe Dashboard."
    ),
    "could_not_process": _CHECK_DETAILS,
    "debit_not_authorized": (
        "Ask your bank to allow debits from Stripe on this account, or add another account."
    ),
    "declined": "Contact your bank before Stripe tries again.",
    "insufficient_funds": (
        "Your Stripe balance could not cover the payout (refunds or disputes took funds); "
        "it is retried once the balance recovers."
    ),
    "invalid_account_number": _CHECK_DETAILS,
    "incorrect_account_holder_name": (
        "Make the account holder's name in Stripe match the bank's records exactly."
    ),
    "incorrect_account_holder_address": (
        "Make the account holder's address in Stripe match the bank's records."
    ),
    "incorrect_account_holder_tax_id": (
        "Make the account holder's tax ID in Stripe match the bank's records."
    ),
    "invalid_currency": "Add a bank account that accepts this currency.",
    "no_account": _CHECK_DETAILS,
    "unsupported_card": "Add a bank account or another debit card for payouts.",
}
#: For a code Stripe adds later: the one step that fits every failure.
DEFAULT_ADVICE = "Check the payout and your bank account details in your Stripe Dashboard."


def payout_advice(failure_code: str | None) -> str:
    """What the vendor should do about a payout that failed with `failure_code` (any code,
    or None: the general advice)."""
    return ADVICE.get(failure_code or "", DEFAULT_ADVICE)
