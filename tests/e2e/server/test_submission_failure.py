"""A form submission that fails inside connectbot: the form is replaced by a clear note.

Bolt answers a listener that raises before its ack with a 500, which Slack shows as a vague
"trouble connecting" under a form still open to be submitted again. connectbot answers with
`response_action: update` and a modal that says what happened, and nothing reaches Stripe.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from bot.app import INTERNAL_ERROR
from tests.e2e.scenario import connected_vendor, customer_with_card, modal_inputs, open_charge_modal
from tests.harness import OPERATOR, Connectbot

VENDOR = "U0VENDOR1"


async def test_a_submission_that_fails_is_answered_in_the_modal(
    cb: Connectbot, caplog: pytest.LogCaptureFixture
) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    view = await open_charge_modal(cb, f"<@{VENDOR}> 100.00 jane@example.com", user=OPERATOR)
    # The database loses the charges table between the modal and its submission.
    async with cb.sessions.begin() as session:
        await session.execute(text("ALTER TABLE charges RENAME TO charges_gone"))
    stripe_before = len(await cb.stripe.requests())

    try:
        with caplog.at_level(logging.ERROR):
            reply = await cb.slack_sender.view_submission(
                view, modal_inputs(view), user_id=OPERATOR
            )

        assert reply.status == 200, reply
        answer = json.loads(reply.body)
        assert answer["response_action"] == "update"
        assert answer["view"]["type"] == "modal" and INTERNAL_ERROR in json.dumps(answer["view"])
        assert "charges_gone" not in reply.body and "Traceback" not in reply.body
        assert any(r.exc_info for r in caplog.records)  # the details stay in the log
        payment_intents = [
            r
            for r in (await cb.stripe.requests())[stripe_before:]
            if "payment_intents" in r["path"]
        ]
        assert payment_intents == []
    finally:  # the table back, for the workers and the harness's last checks
        async with cb.sessions.begin() as session:
            await session.execute(text("ALTER TABLE charges_gone RENAME TO charges"))
