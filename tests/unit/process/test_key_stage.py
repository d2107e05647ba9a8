"""What may be done with a `pending` request as its idempotency key ages (stripe_ops/keys.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import stripe
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.stripe_ops.keys import LOOK_UP_AFTER, REPLAY_UNTIL, answer_was_replayed, key_stage

SENT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
ORDER = ["replay", "look_up_then_replay", "look_up_only"]


@pytest.mark.parametrize(
    ("age", "stage"),
    [
        (timedelta(minutes=-5), "replay"),  # our clock behind the row's: age zero
        (timedelta(0), "replay"),
        (timedelta(minutes=59, seconds=59), "replay"),
        (timedelta(hours=1), "look_up_then_replay"),
        (timedelta(hours=22, minutes=59), "look_up_then_replay"),
        (timedelta(hours=23), "look_up_only"),
        (timedelta(hours=24), "look_up_only"),
        (timedelta(days=30), "look_up_only"),
    ],
)
def test_stage_by_age(age: timedelta, stage: str) -> None:
    assert key_stage(SENT, SENT + age) == stage


def test_no_replay_is_allowed_within_an_hour_of_stripes_24_hour_pruning() -> None:
    assert timedelta(hours=24) - REPLAY_UNTIL >= timedelta(hours=1)
    assert LOOK_UP_AFTER < REPLAY_UNTIL


@settings(max_examples=200, deadline=None)
@given(
    st.timedeltas(min_value=timedelta(hours=-2), max_value=timedelta(days=3)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
)
def test_stages_only_move_forward_and_never_replay_late(age: timedelta, later: timedelta) -> None:
    now = SENT + age
    first, second = key_stage(SENT, now), key_stage(SENT, now + later)
    assert ORDER.index(first) <= ORDER.index(second)
    if age >= REPLAY_UNTIL:
        assert first == "look_up_only"


@pytest.mark.parametrize(
    ("error", "replayed"),
    [
        (stripe.APIError("boom", http_status=500, headers={"Idempotent-Replayed": "true"}), True),
        (stripe.APIError("boom", http_status=500, headers={"idempotent-replayed": "true"}), True),
        (stripe.APIError("boom", http_status=500, headers={"IDEMPOTENT-REPLAYED": "True"}), True),
        (stripe.APIError("boom", http_status=500, headers={"Idempotent-Replayed": "false"}), False),
        (stripe.APIError("boom", http_status=500, headers={"Request-Id": "req_1"}), False),
        (stripe.APIError("boom", http_status=500), False),
        (stripe.APIConnectionError("no response"), False),
    ],
)
def test_a_replayed_answer_is_told_by_its_header(error: stripe.StripeError, replayed: bool) -> None:
    assert answer_was_replayed(error) is replayed
