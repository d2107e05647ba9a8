"""Objects rendered at an older API version: a small table of Stripe's documented changes.

Each webhook endpoint has an API version, and "Events sent to this endpoint will be generated
with this Stripe Version" (stripe-python ``WebhookEndpointCreateParams.api_version``). The fake
stores every object in the shape of the version stripe-python pins and, for an endpoint on an
older version, undoes the changes below, newest first.

The table lists the changes to fields connectbot reads from event objects (bot/handlers:
PaymentIntent ``status``/``amount``/``currency``/``metadata``/``latest_charge``/
``last_payment_error``; Charge ``amount_refunded``; Dispute ``amount``/``currency``/``reason``/
``evidence_details.due_by``/``charge``; Checkout Session ``mode``/``setup_intent``/``customer``/
``metadata``; ApplicationFee ``amount``/``amount_refunded``/``charge``/``account``; Payout
``amount``/``currency``/``arrival_date``/``failure_message``), plus the Charge ``refunds`` list that
went with the first. Every other field connectbot reads is present, with the same meaning, both
in Stripe's OpenAPI document for 2020-08-27 (the oldest version here) and at the pinned version;
so versions older than 2020-08-27, whose other changes this table does not know, are refused
rather than rendered kinder than Stripe would.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from stripe._api_version import _ApiVersion

Json = dict[str, Any]
CURRENT = _ApiVersion.CURRENT
OLDEST = "2020-08-27"
_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.[a-z]+)?$")


def version_date(version: str) -> str:
    """``2026-10-28`` for ``2026-10-28.endive``; ValueError for anything not a version."""
    found = _VERSION.match(version)
    if found is None:
        raise ValueError(f"{version!r} is not a Stripe API version (YYYY-MM-DD[.name])")
    return found.group(1)


def check_renderable(version: str) -> None:
    """ValueError unless the fake can render objects at ``version`` as Stripe would."""
    date = version_date(version)
    if date < OLDEST:
        raise ValueError(f"the fake renders API versions from {OLDEST} on, not {version}")
    if date > version_date(CURRENT):
        raise ValueError(f"{version} is newer than the fake's {CURRENT}")


@dataclass(frozen=True)
class Change:
    """From ``version`` on, ``object`` has its current shape; ``older`` gives the one before.

    ``embeds`` names the objects the older shape carries inside (from all ``objects``), so an
    event can snapshot them when it is recorded.
    """

    version: str
    object: str
    source: str
    older: Callable[[Json, str, dict[str, Json]], Json]
    embeds: Callable[[Json, Iterable[Json]], list[Json]]


def _list(items: list[Json], url: str, version: str, embedded: dict[str, Json]) -> Json:
    items = sorted(items, key=lambda o: o.get("created") or 0, reverse=True)
    return {
        "object": "list",
        "data": [render_at(o, version, embedded) for o in items],
        "has_more": False,
        "total_count": len(items),
        "url": url,
    }


def _charges_of(intent: Json, objects: Iterable[Json]) -> list[Json]:
    return [
        o
        for o in objects
        if o.get("object") == "charge" and o.get("payment_intent") == intent.get("id")
    ]


def _refunds_of(charge: Json, objects: Iterable[Json]) -> list[Json]:
    return [o for o in objects if o.get("object") == "refund" and o.get("charge") == charge["id"]]


def _intent_with_charges(intent: Json, version: str, embedded: dict[str, Json]) -> Json:
    older = {k: v for k, v in intent.items() if k != "latest_charge"}
    charges = _charges_of(intent, embedded.values())
    older["charges"] = _list(
        charges, f"/v1/charges?payment_intent={intent['id']}", version, embedded
    )
    return older


def _charge_with_refunds(charge: Json, version: str, embedded: dict[str, Json]) -> Json:
    refunds = _refunds_of(charge, embedded.values())
    return {**charge, "refunds": _list(refunds, f"/v1/charges/{charge['id']}/refunds", version, {})}


def _intent_embeds(intent: Json, objects: Iterable[Json]) -> list[Json]:
    everything = list(objects)
    charges = _charges_of(intent, everything)
    return charges + [r for c in charges for r in _refunds_of(c, everything)]


CHANGES: tuple[Change, ...] = (
    # "Removes the `charges` property on the PaymentIntent object. Use the `latest_charge`
    # property instead." Stripe's OpenAPI document for 2020-08-27 has `charges` (a list of
    # charges) and no `latest_charge`.
    Change(
        "2022-11-15",
        "payment_intent",
        "https://docs.stripe.com/changelog/2022-11-15/removes-charges-attribute-paymentintent",
        _intent_with_charges,
        _intent_embeds,
    ),
    # "The `Charges` object no longer auto-expands refunds by default": before, `refunds` was a
    # list of the charge's refunds (in the 2020-08-27 OpenAPI document: `refunds`, a list).
    Change(
        "2022-11-15",
        "charge",
        "https://docs.stripe.com/changelog/2022-11-15/deprecates-charges-auto-expand",
        _charge_with_refunds,
        lambda charge, objects: _refunds_of(charge, objects),
    ),
)


def embedded(obj: Json, objects: Iterable[Json]) -> list[Json]:
    """The objects an older shape of ``obj`` carries inside it (to snapshot with an event)."""
    everything = list(objects)
    found: list[Json] = []
    for change in CHANGES:
        if change.object == obj.get("object"):
            found += change.embeds(obj, everything)
    return found


def render_at(obj: Json, version: str, embedded: dict[str, Json]) -> Json:
    """``obj`` (current shape) as Stripe renders it at ``version``; ``embedded`` holds, by id,
    the objects older shapes embed. Never mutates ``obj``."""
    date = version_date(version)
    for change in sorted(CHANGES, key=lambda c: c.version, reverse=True):
        if change.object == obj.get("object") and date < change.version:
            obj = change.older(obj, version, embedded)
    return obj
