"""The /charge confirmation modal sent back to Slack with a fresh fee preview (pure)."""

from __future__ import annotations

from typing import Any

from bot.views.charge import FEE_PREVIEW

#: What a view keeps when it goes back to Slack (views.update, response_action "update").
VIEW_FIELDS = (
    "type",
    "title",
    "submit",
    "close",
    "callback_id",
    "clear_on_close",
    "notify_on_close",
)


def with_fee_preview(
    view: dict[str, Any], *, preview: str, private_metadata: str, note: str | None = None
) -> dict[str, Any]:
    """The confirmation modal `view` (as Slack sent it back) with a new fee preview and
    `private_metadata`; `note` is shown before the preview. Every other block is kept as it is,
    so the inputs keep their block and action ids and Slack keeps what the operator typed
    (api.slack.com/methods/views.update, "Preserving input entry")."""
    elements = [{"type": "mrkdwn", "text": text} for text in (note, preview) if text]
    blocks = [
        {**block, "elements": elements} if block.get("block_id") == FEE_PREVIEW else block
        for block in view.get("blocks") or []
    ]
    kept = {k: view[k] for k in VIEW_FIELDS if view.get(k) is not None}
    return {**kept, "blocks": blocks, "private_metadata": private_metadata}
