"""Validate Block Kit the way Slack would: slack_sdk.models first, then Slack's own rules."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from .block_rules import Checker, check_blocks

# "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs"
# (https://api.slack.com/reference/block-kit/blocks).
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
# chat.postMessage: "Slack will truncate messages containing more than 40,000 characters",
# and lists `msg_too_long` "Message text is too long" (https://api.slack.com/methods/
# chat.postMessage). The fake refuses rather than truncates, so an app never ships a message
# that only arrives cut short.
MESSAGE_TEXT_LIMIT = 40000
SDK_ERRORS = (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError)

# slack_sdk.models logs a warning for every unknown attribute; the fake reports errors itself.
logging.getLogger("slack_sdk.models").setLevel(logging.ERROR)


def sdk_block_errors(blocks: Any, pointer: str) -> list[str]:
    """Errors slack_sdk.models raises when parsing and validating each block."""
    if not isinstance(blocks, list):
        return []
    errors: list[str] = []
    for i, raw in enumerate(blocks):
        if not isinstance(raw, dict):
            continue
        try:
            block = Block.parse(raw)
            if block is None:
                errors.append(f"unknown block type [json-pointer:{pointer}/{i}]")
            else:
                block.validate_json()
        except SDK_ERRORS as exc:
            errors.append(f"{exc} [json-pointer:{pointer}/{i}]")
    return errors


def message_blocks_errors(blocks: Any) -> list[str]:
    """Errors for a message's `blocks` (chat.postMessage/postEphemeral/update, response URLs)."""
    return check_blocks(blocks, limit=MESSAGE_BLOCK_LIMIT) or sdk_block_errors(blocks, "/blocks")


def view_errors(view: Any) -> list[str]:
    """Errors for a `view` (views.open/update/publish)."""
    if not isinstance(view, dict):
        return ["must be an object [json-pointer:/view]"]
    kind = view.get("type")
    checker = Checker()
    # https://api.slack.com/reference/surfaces/views: a modal's title, close and submit are
    # plain_text of at most 24 characters, and "submit" is "required when an input block is
    # within the blocks array"; a Home tab has only type, blocks, private_metadata,
    # callback_id and external_id. private_metadata is at most 3000 characters, callback_id
    # and external_id at most 255.
    if kind not in ("modal", "home"):
        checker.fail("must be one of modal, home", "/view/type")
        return checker.errors
    blocks = view.get("blocks")
    if blocks is None:
        checker.fail("missing required field: blocks", "/view/blocks")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", limit=24, plain=True)
        for key in ("close", "submit"):
            if view.get(key) is not None:
                checker.text(view[key], f"/view/{key}", limit=24, plain=True)
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            checker.fail("submit is required when an input block is in blocks", "/view/submit")
    else:
        for key in ("close", "submit"):
            if view.get(key) is not None:
                checker.fail(f"{key} is not allowed in a home view", f"/view/{key}")
    checker.length(view.get("private_metadata"), "/view/private_metadata", 3000)
    checker.length(view.get("callback_id"), "/view/callback_id", 255)
    checker.length(view.get("external_id"), "/view/external_id", 255)
    errors = checker.errors
    if blocks is not None:
        errors += check_blocks(blocks, limit=VIEW_BLOCK_LIMIT, pointer="/view/blocks") or (
            sdk_block_errors(blocks, "/view/blocks")
        )
    if not errors:
        try:
            fields = {k: v for k, v in view.items() if k != "state"}
            View(**fields).validate_json()
        except SDK_ERRORS as exc:
            errors.append(f"{exc} [json-pointer:/view]")
    return errors


def message_content_error(params: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(error, errors) for a message's text/blocks, or None when Slack would accept them.

    Errors as chat.postMessage names them (https://api.slack.com/methods/chat.postMessage#
    errors): `invalid_blocks_format` "The blocks is not a valid JSON object or doesn't match
    the Block Kit syntax", `no_text` "No message text provided" (text, blocks or attachments
    is required), `msg_too_long`, `invalid_blocks` "Blocks submitted with this message are not
    valid" with the details in `errors`.
    """
    text = params.get("text")
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        return "invalid_blocks_format", ["blocks is not a valid JSON array"]
    has_blocks = isinstance(blocks, list) and len(blocks) > 0
    if not text and not has_blocks and not params.get("attachments"):
        return "no_text", []
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_LIMIT:
        return "msg_too_long", []
    if blocks is not None:
        errors = message_blocks_errors(blocks)
        if errors:
            return "invalid_blocks", errors
    return None
