"""Build interaction payloads as Slack does: view_submission state.values from plain inputs."""

from __future__ import annotations

from typing import Any

from .state import JSON

SINGLE_SELECTED = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
MULTI_SELECTED = {
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
}


def _options(element: JSON) -> list[JSON]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: JSON, value: Any) -> JSON:
    """The full option object for `value` (as Slack sends it), or a bare one if not listed."""
    for option in _options(element):
        if option.get("value") == value:
            return option
    return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}


def element_state(element: JSON, value: Any) -> JSON:
    """One entry of view.state.values[block_id][action_id] for `element` holding `value`."""
    kind = str(element.get("type", "plain_text_input"))
    if isinstance(value, dict) and "type" in value:
        return value
    state: JSON = {"type": kind}
    if kind in ("static_select", "external_select", "radio_buttons"):
        state["selected_option"] = None if value is None else _option(element, value)
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        state["selected_options"] = [_option(element, v) for v in (value or [])]
    elif kind in SINGLE_SELECTED:
        state[SINGLE_SELECTED[kind]] = value
    elif kind in MULTI_SELECTED:
        state[MULTI_SELECTED[kind]] = list(value or [])
    else:
        state["value"] = None if value is None else str(value)
    return state


def state_values(view: JSON, inputs: dict[str, Any]) -> JSON:
    """view.state.values for a submission.

    `inputs` maps block_id → value (for the input block's one element) or block_id →
    {action_id: value}. Every input block of the view appears, empty ones with null values,
    as Slack sends them.
    """
    values: JSON = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input" or "element" not in block:
            continue
        block_id = str(block.get("block_id", ""))
        element = block["element"]
        action_id = str(element.get("action_id", ""))
        given = inputs.get(block_id)
        if isinstance(given, dict) and action_id in given:
            given = given[action_id]
        values[block_id] = {action_id: element_state(element, given)}
    for block_id, given in inputs.items():
        if block_id not in values and isinstance(given, dict):
            values[block_id] = {
                action_id: element_state({"type": "plain_text_input"}, value)
                for action_id, value in given.items()
            }
    return values


def find_element(blocks: list[JSON], action_id: str) -> tuple[str | None, JSON | None]:
    """(block_id, element) of the first interactive element with `action_id` in `blocks`."""
    for block in blocks:
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, None
