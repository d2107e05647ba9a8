"""A Slack message as the outbox stores it: fallback text plus Block Kit blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View as ModalView


def message(text: str, blocks: Sequence[Block] = ()) -> dict[str, Any]:
    """`text` is the notification/fallback text; blocks are validated by slack_sdk here."""
    rendered = []
    for block in blocks:
        block.validate_json()
        rendered.append(block.to_dict())
    return {"text": text, "blocks": rendered} if rendered else {"text": text}


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A modal holding one paragraph and a Close button: what replaces a form
    (`response_action: update`) when its submission cannot go on."""
    view = ModalView(
        type="modal",
        title=PlainTextObject(text=title[:24]),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text[:3000]))],
    )
    view.validate_json()
    return dict(view.to_dict())
