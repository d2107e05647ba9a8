"""`/notify [list]`, `/notify add|remove <event type> [#channel]`, and the event types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import (
    NotifyChange,
    NotifyList,
    covered_by,
    groups_of,
    parse_event_type,
    parse_notify_command,
)
from bot.refusal import Refusal
from bot.stripe_ops.event_types import EVENT_TYPES

KNOWN = sorted(EVENT_TYPES)


def test_the_event_types_are_stripes() -> None:
    """Read from stripe-python: the types connectbot handles are there, `*` is not."""
    assert {"payout.paid", "customer.created", "charge.dispute.created"} <= EVENT_TYPES
    assert "*" not in EVENT_TYPES and len(EVENT_TYPES) > 200
    assert all(t == t.lower() and "." in t and " " not in t for t in EVENT_TYPES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", NotifyList()),
        ("list", NotifyList()),
        ("LIST", NotifyList()),
        ("add customer.created", NotifyChange("add", "customer.created", None)),
        ("add `Customer.Created`", NotifyChange("add", "customer.created", None)),
        (
            "add customer.created <#C123ABC|sales>",
            NotifyChange("add", "customer.created", "C123ABC"),
        ),
        ("add payout.* <#C123ABC>", NotifyChange("add", "payout.*", "C123ABC")),
        ("add charge.dispute.*", NotifyChange("add", "charge.dispute.*", None)),
        ("remove customer.created", NotifyChange("remove", "customer.created", None)),
        ("rm product.created <#G12345>", NotifyChange("remove", "product.created", "G12345")),
        ("delete payout.*", NotifyChange("remove", "payout.*", None)),
    ],
)
def test_parse_notify_command(text: str, expected: object) -> None:
    assert parse_notify_command(text, known=EVENT_TYPES) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("list everything", "Unexpected `everything` after `list`"),
        ("frobnicate", "I don't know `/notify frobnicate`"),
        ("customer.created", "`/notify add customer.created`"),
        ("add", "Name the event type to add"),
        ("remove", "Name the event type to remove"),
        ("add payout.pad", "Did you mean `payout.paid`"),
        ("add customer.creatd", "Did you mean `customer.created`"),
        ("add paymnt_intent.*", "Did you mean `payment_intent.*`?"),
        ("add no.such.thing", "https://docs.stripe.com/api/events/types"),
        ("add nosuch.*", "Stripe has no event type `nosuch.*`"),
        ("add *", "every event Stripe sends"),
        ("add .*", "Stripe has no event type"),
        ("add " + "a." * 60, "longer than any Stripe event type"),
        ("add customer.created #sales", "pick it from the # list"),
        ("add customer.created <@U123ABC>", "isn't a channel"),
        ("add customer.created <#C123ABC> extra", "Unexpected `extra` after the channel"),
    ],
)
def test_parse_notify_command_refuses(text: str, fragment: str) -> None:
    result = parse_notify_command(text, known=EVENT_TYPES)
    assert isinstance(result, Refusal) and fragment in result.message, result


def test_groups_and_what_they_cover() -> None:
    assert groups_of("charge.dispute.created") == ("charge.dispute.*", "charge.*")
    assert groups_of("nodot") == ()
    assert covered_by("payout.*", EVENT_TYPES) >= {"payout.paid", "payout.failed"}
    assert "payout.paid" not in covered_by("charge.*", EVENT_TYPES)
    assert covered_by("payout.paid", EVENT_TYPES) == {"payout.paid"}
    assert covered_by("payout.pad", EVENT_TYPES) == frozenset()


@given(st.sampled_from(KNOWN), st.sampled_from(["", " ", "  "]), st.booleans())
def test_every_stripe_type_and_its_groups_are_accepted(
    event_type: str, pad: str, shout: bool
) -> None:
    typed = event_type.upper() if shout else event_type
    assert parse_event_type(f"{pad}{typed}{pad}", EVENT_TYPES) == event_type
    for group in groups_of(event_type):
        assert parse_event_type(group, EVENT_TYPES) == group
        assert event_type in covered_by(group, EVENT_TYPES)


@given(st.text(max_size=120))
def test_any_word_is_a_known_type_a_group_or_a_refusal(word: str) -> None:
    result = parse_event_type(word, EVENT_TYPES)
    if isinstance(result, Refusal):
        assert result.message and "Traceback" not in result.message
    else:
        assert result in EVENT_TYPES or (result.endswith(".*") and covered_by(result, EVENT_TYPES))


@given(st.text(max_size=200))
def test_any_text_parses_or_is_refused_in_words(text: str) -> None:
    result = parse_notify_command(text, known=EVENT_TYPES)
    assert isinstance(result, Refusal | NotifyList | NotifyChange)
    if isinstance(result, NotifyChange):
        assert result.event_type in EVENT_TYPES or result.event_type.endswith(".*")


@given(st.sampled_from(KNOWN), st.integers(0, 2))
def test_a_one_letter_slip_is_answered_with_a_suggestion(event_type: str, at: int) -> None:
    """A type with one letter dropped is refused (when not itself a type) and, for types long
    enough to be told apart, the refusal suggests the closest types."""
    last = event_type.rsplit(".", 1)[1]
    if len(last) < 6:
        return
    cut = len(event_type) - len(last) + 1 + at
    slipped = event_type[:cut] + event_type[cut + 1 :]
    result = parse_event_type(slipped, EVENT_TYPES)
    if slipped in EVENT_TYPES:
        return
    assert isinstance(result, Refusal) and "Did you mean" in result.message, result
