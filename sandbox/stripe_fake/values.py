"""Values Stripe refuses, checked before an operation runs: amounts, fees, currencies, metadata.

:func:`value_problems` looks at a request whose names and types already passed
:mod:`.fidelity` and returns what Stripe would refuse in its values, each with Stripe's message,
``param`` and code. ``app.handle_api`` answers the first as a 400 ``invalid_request_error`` and
runs nothing, so a refused request changes no state. The rules and where they come from:

* ``amount`` of a PaymentIntent, refund or application-fee refund is a positive integer of at
  most eight digits (stripe-python ``PaymentIntentCreateParams.amount``: "A positive integer …
  The amount value supports up to eight digits"). Zero is refused with "This value must be
  greater than or equal to 1." (stripe/stripe-php#943), a negative number with "Invalid positive
  integer" (CalderaWP/Caldera-Forms#2732), more than eight digits with ``amount_too_large``
  "Amount must be no more than $999,999.99".
* A PaymentIntent's ``amount`` is at least the currency's minimum ("Minimum and maximum charge
  amounts", docs.stripe.com/currencies), refused with ``amount_too_small`` "Amount must be at
  least $0.50 usd" (the shape seen in Stripe's answers: "£0.30 gbp", "€0.50 eur", "¥50 jpy").
* ``application_fee_amount`` is a non-negative integer ("Invalid non-negative integer",
  exercism/website#1345) and not more than ``amount``.
* Every ``currency`` is one Stripe presents in: "Invalid currency: xyz. Stripe currently
  supports these currencies: usd, aed, …" on ``param=currency`` (lukec/stripe-perl#156).
* Every ``metadata`` has at most 50 keys, keys of at most 40 characters, values of at most 500
  (docs.stripe.com/api/metadata); refused with Stripe's words: "Metadata can have up to 50
  keys, but you've set 51. …" (FlowFuse/flowfuse#1948), "Invalid key: … must be a string under
  40 characters", "Invalid val: … must be a string under 500 characters" (stripe/stripe-php#246).
"""

from __future__ import annotations

import re
from typing import Any

from .currencies import MAX_AMOUNT, PRESENTMENT, format_amount, minimum_charge
from .fidelity import Problem

# (method, path template) -> the amount params of that operation.
_AMOUNTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/v1/payment_intents"): ("amount",),
    ("POST", "/v1/refunds"): ("amount",),
    ("POST", "/v1/application_fees/{id}/refunds"): ("amount",),
}
_CHARGES = {("POST", "/v1/payment_intents")}

METADATA_KEYS = 50
METADATA_KEY_LENGTH = 40
METADATA_VALUE_LENGTH = 500

_SUPPORTED_LIST = ", ".join(["usd", *sorted(PRESENTMENT - {"usd"})])


def value_problems(method: str, template: str, params: dict[str, Any]) -> list[Problem]:
    """Everything Stripe would refuse in the values of ``params``, most specific first."""
    problems = _walk(params, None)
    for name in _AMOUNTS.get((method, template), ()):
        problems += _amount(params, name)
    if (method, template) in _CHARGES and not problems:
        problems += _charge(params)
    return problems


def _integer(value: Any) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _walk(params: dict[str, Any], prefix: str | None) -> list[Problem]:
    """Currencies and metadata wherever they appear (``payment_intent_data[metadata]`` too)."""
    problems: list[Problem] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if key == "currency" and isinstance(value, str) and value:
            problems += _currency(value, name)
        elif key == "metadata" and isinstance(value, dict):
            problems += _metadata(value, name)
        elif isinstance(value, dict):
            problems += _walk(value, name)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    problems += _walk(item, f"{name}[{i}]")
    return problems


def _currency(value: str, name: str) -> list[Problem]:
    code = value.lower()
    if code in PRESENTMENT:
        return []
    message = f"Invalid currency: {code}. Stripe currently supports these currencies: "
    return [Problem(name, None, message + _SUPPORTED_LIST)]


def _metadata(metadata: dict[str, Any], name: str) -> list[Problem]:
    if len(metadata) > METADATA_KEYS:
        return [
            Problem(
                name,
                None,
                f"Metadata can have up to {METADATA_KEYS} keys, but you've set {len(metadata)}. "
                "Email us at support+metadata@stripe.com for more information.",
            )
        ]
    problems: list[Problem] = []
    for key, value in metadata.items():
        if len(key) > METADATA_KEY_LENGTH:
            message = f"Invalid key: {key} must be a string under {METADATA_KEY_LENGTH} characters"
            problems.append(Problem(name, None, message))
        elif not isinstance(value, str) or len(value) > METADATA_VALUE_LENGTH:
            message = (
                f"Invalid val: {value} must be a string under {METADATA_VALUE_LENGTH} characters"
            )
            problems.append(Problem(name, None, message))
    return problems


def _amount(params: dict[str, Any], name: str) -> list[Problem]:
    amount = _integer(params.get(name))
    if amount is None:
        return []  # absent, or not an integer: fidelity's type check speaks for that
    if amount == 0:
        return [
            Problem(
                name, "parameter_invalid_integer", "This value must be greater than or equal to 1."
            )
        ]
    if amount < 0:
        return [Problem(name, "parameter_invalid_integer", "Invalid positive integer")]
    if amount > MAX_AMOUNT:
        currency = str(params.get("currency") or "usd").lower()
        ceiling = format_amount(MAX_AMOUNT, currency, grouped=True)
        return [Problem(name, "amount_too_large", f"Amount must be no more than {ceiling}")]
    return []


def _charge(params: dict[str, Any]) -> list[Problem]:
    """A PaymentIntent's amount against its currency's minimum, and its fee against both."""
    amount = _integer(params.get("amount"))
    currency = str(params.get("currency") or "").lower()
    if amount is None or currency not in PRESENTMENT:
        return []
    floor = minimum_charge(currency)
    if amount < floor:
        shown = f"{format_amount(floor, currency)} {currency}"
        return [Problem("amount", "amount_too_small", f"Amount must be at least {shown}")]
    fee = _integer(params.get("application_fee_amount"))
    if fee is not None and fee < 0:
        message = "Invalid non-negative integer"
        return [Problem("application_fee_amount", "parameter_invalid_integer", message)]
    if fee is not None and fee > amount:
        message = "The application fee amount must be less than the payment amount."
        return [Problem("application_fee_amount", None, message)]
    return []
