"""How long an idempotency key protects a replay, and what to do with a request after that.

Stripe keeps the result of a request under its idempotency key, but "can remove keys from the
system automatically after they're at least 24 hours old", and "a new request" runs when a key
is reused after that (API reference, "Idempotent requests",
https://docs.stripe.com/api/idempotent_requests). A `pending` charge or refund replayed blindly a
day late could therefore charge or refund twice. So its age decides:

* younger than :data:`LOOK_UP_AFTER`: replay the stored request with its key (Stripe answers the
  first result, or runs it for the first time);
* from then on: first look on Stripe for what the request created (by connectbot's metadata) and
  adopt it; replay only if nothing is there, while the key is surely alive;
* from :data:`REPLAY_UNTIL` on: look up only. Nothing found means nothing was made, and nothing
  ever will be: the row is settled `failed` rather than sent again under a key Stripe may have
  pruned by the time the request arrives.

Ages count from the earliest moment the key could first have reached Stripe.

One answer ends the replays early: a **replayed error**. Stripe "saves the status code and body
of the first request made with a given idempotency key after endpoint execution begins. Retries
with the same key return the saved response, including 500 errors" (same page, and "Advanced
error handling", https://docs.stripe.com/error-low-level#idempotency), marking it with the
response header ``Idempotent-Replayed: true``. Such an answer means the request ran on Stripe,
and every replay for the key's lifetime gets the same error: replaying again cannot tell
anything new. A request whose answer was a replayed error (:func:`answer_was_replayed`) is
therefore looked up at once, whatever its age, and never replayed again; with nothing found it
waits (it may be a search lag, or the request may have made nothing), and from
:data:`REPLAY_UNTIL` on the usual look-up-only rule settles it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

import stripe

#: Before this age a replay is certainly covered by the key: no lookup needed.
LOOK_UP_AFTER = timedelta(hours=1)
#: Stripe may prune a key once it is 24 hours old; an hour short of that, stop replaying, so
#: a slow pass, a retry or clock skew can never carry a replay past the key's lifetime.
REPLAY_UNTIL = timedelta(hours=23)

#: The failure code of a charge or refund Stripe has no trace of once its key may be pruned.
NOT_FOUND_AFTER_KEY_EXPIRY = "not_found_after_key_expiry"

#: Noted on a `pending` charge (`failure_code`) or refund (`failure_message`) whose last answer
#: from Stripe was a saved error replayed under its key: look it up, never replay it.
REPLAYED_ERROR = "replayed_error"

Stage = Literal["replay", "look_up_then_replay", "look_up_only"]


def key_stage(first_sent: datetime, now: datetime) -> Stage:
    """What may be done for a request whose key was first usable at `first_sent`.

    Never answers a replay-permitting stage at or past :data:`REPLAY_UNTIL`; a `first_sent`
    in the future (clock skew) counts as age zero.
    """
    age = now - first_sent
    if age >= REPLAY_UNTIL:
        return "look_up_only"
    if age >= LOOK_UP_AFTER:
        return "look_up_then_replay"
    return "replay"


def answer_was_replayed(exc: stripe.StripeError) -> bool:
    """Whether Stripe's error answer was a saved result replayed under the idempotency key.

    Reads the ``Idempotent-Replayed`` response header, which stripe-python keeps on the
    exception (`StripeError.headers`, the HTTP client's headers of the last try: with the
    aiohttp client a case-insensitive mapping, but any casing is accepted). False when there
    was no response (a network error) or the header is absent.
    """
    headers: Mapping[str, str] = exc.headers or {}
    return any(
        name.lower() == "idempotent-replayed" and str(value).strip().lower() == "true"
        for name, value in headers.items()
    )
