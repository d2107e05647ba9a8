"""views.open, views.push, views.update and views.publish."""

from __future__ import annotations

import copy

from . import triggers
from .chat_methods import error
from .params import as_str
from .state import JSON, FakeState, with_block_ids
from .users import user_object
from .validation import view_errors

# "push_limit_reached: Error returned when the max push limit has been reached for views.
# Currently the limit is 3." (https://api.slack.com/methods/views.push#errors)
STACK_LIMIT = 3
STORED_KEYS: tuple[str, ...] = (
    "type",
    "title",
    "submit",
    "close",
    "blocks",
    "private_metadata",
    "callback_id",
    "external_id",
    "clear_on_close",
    "notify_on_close",
)


def _invalid_view(view: object) -> JSON | None:
    errors = view_errors(view)
    if not errors:
        return None
    return error(
        "invalid_arguments",
        errors=errors,
        response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
    )


def _stored_view(state: FakeState, view: JSON, view_id: str, *, previous: JSON | None) -> JSON:
    ident = state.identity
    stored: JSON = {
        "id": view_id,
        "team_id": ident.team_id,
        "type": view["type"],
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "state": {"values": {}},
        "hash": state.view_hash(),
        "title": None,
        "submit": None,
        "close": None,
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "root_view_id": previous["root_view_id"] if previous else view_id,
        "app_id": ident.app_id,
        "app_installed_team_id": ident.team_id,
        "bot_id": ident.bot_id,
    }
    stored.update({k: copy.deepcopy(view[k]) for k in STORED_KEYS if k in view})
    stored["blocks"] = with_block_ids(stored["blocks"])
    return stored


def _external_id_taken(state: FakeState, view: JSON, except_id: str | None) -> bool:
    external_id = view.get("external_id")
    if not external_id:
        return False
    found = state.find_view(None, as_str(external_id))
    return found is not None and found["id"] != except_id


def _trigger_of(params: JSON) -> str:
    return as_str(params.get("trigger_id") or params.get("interactivity_pointer"))


def _trigger_refusal(state: FakeState, trigger_id: str, view: object) -> JSON | None:
    """The error for a call without a trigger or a view, or with a trigger Slack would not
    exchange (unknown, expired or used); None when the trigger may be spent on `view`.
    """
    if not trigger_id or view is None:
        return error("invalid_arguments", response_metadata={"messages": ["invalid `trigger_id`"]})
    refused = triggers.exchange_error(state, trigger_id)
    return error(refused) if refused else None


def _modal_problem(state: FakeState, view: object) -> JSON | None:
    problem = _invalid_view(view)
    if problem:
        return problem
    assert isinstance(view, dict)
    if view.get("type") != "modal":
        return error("invalid_arguments", response_metadata={"messages": ["view must be a modal"]})
    if _external_id_taken(state, view, None):
        return error("duplicate_external_id")
    return None


async def views_open(state: FakeState, params: JSON) -> JSON:
    """Open a modal with a trigger the fake issued in the last 3 seconds and never exchanged."""
    trigger_id = _trigger_of(params)
    view = params.get("view")
    refused = _trigger_refusal(state, trigger_id, view)
    if refused:
        return refused
    problem = _modal_problem(state, view)
    if problem:
        return problem
    assert isinstance(view, dict)
    triggers.spend(state, trigger_id)
    stored = _stored_view(state, view, state.next_view_id(), previous=None)
    state.views[stored["id"]] = stored
    state.view_stacks[stored["id"]] = [stored["id"]]
    state.opened_views[trigger_id] = stored["id"]
    return {"ok": True, "view": stored}


async def views_push(state: FakeState, params: JSON) -> JSON:
    """Push a modal onto the stack of the modal the trigger's interaction came from.

    Refuses what views.open refuses, a trigger that did not come from an open modal
    (`not_found`, "Error returned when the requested view can't be found") and a fourth view
    on one stack (`push_limit_reached`).
    """
    trigger_id = _trigger_of(params)
    view = params.get("view")
    refused = _trigger_refusal(state, trigger_id, view)
    if refused:
        return refused
    source = state.views.get(state.triggers[trigger_id].view_id or "")
    stack = state.view_stacks.get(source["root_view_id"], []) if source else []
    if source is None or not stack:
        return error("not_found")
    if len(stack) >= STACK_LIMIT:
        return error("push_limit_reached")
    problem = _modal_problem(state, view)
    if problem:
        return problem
    assert isinstance(view, dict)
    triggers.spend(state, trigger_id)
    top = state.views[stack[-1]]
    stored = _stored_view(state, view, state.next_view_id(), previous=top)
    stored["previous_view_id"] = top["id"]
    state.views[stored["id"]] = stored
    stack.append(stored["id"])
    state.opened_views[trigger_id] = stored["id"]
    return {"ok": True, "view": stored}


async def views_update(state: FakeState, params: JSON) -> JSON:
    view_id = as_str(params.get("view_id")) or None
    external_id = as_str(params.get("external_id")) or None
    view = params.get("view")
    if (view_id is None and external_id is None) or view is None:
        return error("invalid_arguments")
    current = state.find_view(view_id, external_id)
    if current is None:
        return error("not_found")
    if params.get("hash") and as_str(params["hash"]) != current["hash"]:
        return error("hash_conflict")
    problem = _invalid_view(view)
    if problem:
        return problem
    assert isinstance(view, dict)
    if _external_id_taken(state, view, current["id"]):
        return error("duplicate_external_id")
    stored = _stored_view(state, view, current["id"], previous=current)
    stored["state"] = current["state"]
    state.views[stored["id"]] = stored
    return {"ok": True, "view": stored}


async def views_publish(state: FakeState, params: JSON) -> JSON:
    user_id = as_str(params.get("user_id"))
    view = params.get("view")
    if not user_id or view is None:
        return error("invalid_arguments")
    if user_object(state, user_id) is None:
        return error("not_found")
    problem = _invalid_view(view)
    if problem:
        return problem
    assert isinstance(view, dict)
    if view.get("type") != "home":
        return error("invalid_arguments", response_metadata={"messages": ["view must be home"]})
    current = state.views.get(state.home_views.get(user_id, ""))
    if current and params.get("hash") and as_str(params["hash"]) != current["hash"]:
        return error("hash_conflict")
    view_id = current["id"] if current else state.next_view_id()
    stored = _stored_view(state, view, view_id, previous=current)
    stored["user_id"] = user_id
    state.views[view_id] = stored
    state.home_views[user_id] = view_id
    return {"ok": True, "view": stored}
