"""Trigger ids: issued with each interaction, good for 3 seconds and for one exchange.

"Triggers expire in three seconds. Use it before you lose it." and "Triggers may only be used
once. You may perform just one operation with a trigger_id." ("Sequencing interactions with
triggers", https://api.slack.com/docs/triggers). views.open and views.push name the refusals
(https://api.slack.com/methods/views.open#errors, .../views.push#errors):
`invalid_trigger_id` "The trigger_id is invalid. The expected format for the trigger_id
argument is "132456.7890123.abcdef"", `exchanged_trigger_id` "The trigger_id was already
exchanged in a previous call", `expired_trigger_id` "The trigger_id is expired".
"""

from __future__ import annotations

import re
import secrets

from .state import FakeState, Trigger

LIFETIME_SECONDS = 3.0
SHAPE = re.compile(r"^\d+\.\d+\.[0-9a-f]+$")


def issue(state: FakeState, user_id: str, *, view_id: str | None = None) -> str:
    """A fresh trigger id for an interaction by `user_id` (from the view `view_id`, if any),
    shaped like Slack's "12345.98765.abcd2358fdea" and valid from now on the fake's clock."""
    state._trigger_seq += 1
    trigger_id = f"{int(state.now())}.{state._trigger_seq}.{secrets.token_hex(8)}"
    state.triggers[trigger_id] = Trigger(issued_at=state.now(), user_id=user_id, view_id=view_id)
    return trigger_id


def exchange_error(state: FakeState, trigger_id: str) -> str | None:
    """Why `trigger_id` cannot open or push a view now, or None when it can.

    A trigger the fake never issued is refused like a malformed one: Slack only knows the
    triggers it handed out. Reuse is checked before age, so a spent trigger says so however
    old it is.
    """
    trigger = state.triggers.get(trigger_id) if SHAPE.match(trigger_id) else None
    if trigger is None:
        return "invalid_trigger_id"
    if trigger.exchanged:
        return "exchanged_trigger_id"
    if state.now() - trigger.issued_at > LIFETIME_SECONDS:
        return "expired_trigger_id"
    return None


def spend(state: FakeState, trigger_id: str) -> Trigger:
    """Mark `trigger_id` used (call only after `exchange_error` said None)."""
    trigger = state.triggers[trigger_id]
    trigger.exchanged = True
    return trigger
