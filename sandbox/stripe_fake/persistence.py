"""The fake Stripe's state as JSON, so a sandbox's Stripe lasts as long as its database.

Real Stripe keeps every object forever; a fake that forgets them on restart leaves the
database pointing at customers and accounts that no longer exist. :func:`dump` and
:func:`load` carry what Stripe would remember: objects and who owns them, the platform id,
OAuth codes and refresh tokens, disconnected accounts, events, saved idempotent results (Stripe
keeps them 24 hours, measured on the fake's clock, whose offset is kept too) and deliveries
still owed. What a running process owns is not kept: the request log, faults, delivery rules,
keys in flight, and the webhook endpoints, which are configuration given at start (deliveries
owed move to the new endpoint of the same kind, account or Connect).
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Any

from .idempotency import SavedResult
from .store import State
from .webhook_state import Delivery

FORMAT = 1


def dump(state: State) -> dict[str, Any]:
    """Everything :func:`load` restores, as JSON-ready values (no references shared)."""
    connect = {e.id: e.connect for e in state.webhooks.endpoints}
    return {
        "format": FORMAT,
        "platform_id": state.platform_id,
        "clock_offset": state.clock.offset,
        "objects": state.objects,
        "owners": state.owners,
        # events are objects too: kept by id so the list and the store share each dict again
        "events": [e["id"] for e in state.events],
        "oauth_codes": state.oauth_codes,
        "refresh_tokens": state.refresh_tokens,
        "deauthorized": sorted(state.deauthorized),
        "idempotency": [
            {
                "account": account,
                "key": key,
                **asdict(saved),
                "body": base64.b64encode(saved.body).decode(),
            }
            for (account, key), saved in state.idempotency.saved.items()
        ],
        "deliveries": [
            {**asdict(d), "connect": connect[d.endpoint_id]}
            for d in state.webhooks.deliveries
            if d.endpoint_id in connect
        ],
    }


def load(state: State, data: dict[str, Any]) -> None:
    """Replace ``state``'s remembered parts with ``data`` from :func:`dump`.

    Refuses (ValueError) data of another format, so a file from another version is never half
    read. The endpoints ``state`` was created with stay; deliveries owed go to them.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a fake Stripe state this version can read")
    state.platform_id = data["platform_id"]
    state.clock.offset = max(state.clock.offset, float(data["clock_offset"]))
    state.objects = data["objects"]
    state.owners = data["owners"]
    state.events = [state.objects[i] for i in data["events"] if i in state.objects]
    state.oauth_codes = data["oauth_codes"]
    state.refresh_tokens = data["refresh_tokens"]
    state.deauthorized = set(data["deauthorized"])
    state.idempotency.saved = {
        (entry["account"], entry["key"]): SavedResult(
            method=entry["method"],
            path=entry["path"],
            params=entry["params"],
            status=entry["status"],
            body=base64.b64decode(entry["body"]),
            request_id=entry["request_id"],
            saved_at=entry["saved_at"],
        )
        for entry in data["idempotency"]
    }
    by_kind = {e.connect: e.id for e in state.webhooks.endpoints}
    deliveries: list[Delivery] = []
    for entry in data["deliveries"]:
        entry = dict(entry)
        endpoint = by_kind.get(entry.pop("connect"))
        if endpoint is None:
            continue
        entry["endpoint_id"] = endpoint
        entry["seq"] = len(deliveries)
        deliveries.append(Delivery(**entry))
    state.webhooks.deliveries = deliveries
    state.wake.set()
