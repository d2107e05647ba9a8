"""What the fake Slack tests share: a modal like connectbot's refund modal (a text input and an
optional select), for opening, updating and submitting.
"""

from __future__ import annotations

from typing import Any

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "refund",
    "private_metadata": "ch_1",
    "title": {"type": "plain_text", "text": "Refund"},
    "submit": {"type": "plain_text", "text": "Refund"},
    "blocks": [
        {
            "type": "input",
            "block_id": "amount",
            "label": {"type": "plain_text", "text": "Amount"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "reason",
            "optional": True,
            "label": {"type": "plain_text", "text": "Reason"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [
                    {"text": {"type": "plain_text", "text": "Duplicate"}, "value": "duplicate"}
                ],
            },
        },
    ],
}
