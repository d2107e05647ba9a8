"""`Refusal`: connectbot's one way to say an expected "no" to a person.

A function that can refuse returns `T | Refusal` (never None, a tuple or an exception for an
expected "no"); the entry point shows `message` to the person who asked, in Slack or on a page.
Exceptions stay for the unexpected. Stripe-only code (`bot/stripe_ops`) does not word anything
for people: it returns typed outcomes, and the domain that called it turns them into refusals.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request was refused: one sentence for the person (callers may append usage).

    `field` names the input it is about (a modal's block, e.g. `amount`), None for the whole
    request.
    """

    message: str
    field: str | None = None
