"""A Slack message as the outbox stores it: fallback text plus Block Kit blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block


def message(text: str, blocks: Sequence[Block] = ()) -> dict[str, Any]:
    """`text` is the notification/fallback text; blocks are validated by slack_sdk here."""
    rendered = []
    for block in blocks:
        block.validate_json()
        rendered.append(block.to_dict())
    return {"text": text, "blocks": rendered} if rendered else {"text": text}
