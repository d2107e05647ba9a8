"""The built-in renderings of Stripe events: what each says, its links, its advice."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.money import Money
from bot.views.customers import card_expiring_message
from bot.views.dashboard import vendor_label
from bot.views.disputes import (
    DisputeFacts,
    dispute_closed_message,
    dispute_opened_message,
    funds_withdrawn_message,
)
from bot.views.payment_alerts import PaymentFacts, early_fraud_warning_message
from bot.views.payout_failures import ADVICE, DEFAULT_ADVICE, payout_advice
from bot.views.payouts import payout_message
from bot.views.requirements import capability_message, requirement_name, requirement_names
from sandbox.stripe_fake.happenings import PAYOUT_FAILURES

TEST = "https://dashboard.stripe.com/acct_1V/test"
DISPUTE = DisputeFacts(
    dispute_id="dp_1",
    amount=Money(5000, "usd"),
    reason="fraudulent",
    status="needs_response",
    due_by=1_700_000_000,
    vendor_label="<@U0V>",
    account="acct_1V",
    livemode=False,
    stripe_charge_id="ch_1",
    charge_ref="cb_ch_1",
)


def everything(msg: dict[str, object]) -> str:
    return json.dumps(msg)


def test_every_payout_failure_code_stripe_sends_has_its_own_advice() -> None:
    assert set(PAYOUT_FAILURES) == set(ADVICE)
    assert payout_advice("a_code_stripe_adds_later") == DEFAULT_ADVICE
    assert payout_advice(None) == DEFAULT_ADVICE
    assert len(set(ADVICE.values())) > 8  # not one sentence for everything


def test_a_failed_payout_says_why_what_to_do_and_links_the_payout() -> None:
    msg = payout_message(
        status="failed",
        amount=Money(7000, "usd"),
        vendor_label="<@U0V>",
        arrival=None,
        failure="The bank account has been closed.",
        failure_code="account_closed",
        payout_id="po_1",
        account="acct_1V",
    )
    assert msg["text"].startswith("Payout of $70.00 to <@U0V> failed: The bank account has been")
    assert "What to do: Add a new bank account" in msg["text"]
    assert f"<{TEST}/payouts/po_1|po_1>" in everything(msg)


def test_a_live_payout_links_the_live_dashboard() -> None:
    msg = payout_message(
        status="paid",
        amount=Money(100, "jpy"),
        vendor_label="<@U0V>",
        arrival=1_700_000_000,
        failure=None,
        payout_id="po_1",
        livemode=True,
        account="acct_1V",
    )
    assert msg["text"] == "Payout of ¥100 to <@U0V> arrived on 2023-11-14."
    assert "https://dashboard.stripe.com/acct_1V/payouts/po_1|po_1" in everything(msg)


def test_a_dispute_names_both_charge_ids_linked_and_its_due_date() -> None:
    msg = dispute_opened_message(DISPUTE)
    assert "Dispute of $50.00 on <@U0V>'s charge `cb_ch_1`" in msg["text"]
    assert "Evidence due by 2023-11-14" in msg["text"]
    assert f"<{TEST}/payments/ch_1|ch_1>" in msg["text"]
    assert f"<{TEST}/disputes/dp_1|dp_1>" in everything(msg)
    inquiry = dispute_opened_message(dataclasses.replace(DISPUTE, status="warning_needs_response"))
    assert inquiry["text"].startswith("Inquiry of $50.00")


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("won", "was won"),
        ("lost", "was lost"),
        ("warning_closed", "closed without becoming a dispute"),
        ("charge_refunded", "the charge was refunded"),
    ],
)
def test_a_closed_dispute_says_its_outcome(status: str, words: str) -> None:
    assert words in dispute_closed_message(dataclasses.replace(DISPUTE, status=status))["text"]


def test_withdrawn_funds_say_the_amount_and_the_fee() -> None:
    msg = funds_withdrawn_message(DISPUTE, withdrawn=Money(5000, "usd"), fee=Money(1500, "usd"))
    assert msg["text"].startswith("$50.00 and a $15.00 dispute fee were withdrawn from <@U0V>")


def test_an_early_fraud_warning_advises_a_refund_while_it_can_help() -> None:
    facts = PaymentFacts("ch_1", Money(5000, "usd"), "<@U0V>", "acct_1V", False, "cb_ch_1")
    actionable = early_fraud_warning_message(
        facts, fraud_type="made_with_stolen_card", actionable=True
    )
    assert "made with a stolen card" in actionable["text"]
    assert "Consider refunding it now with `/refund cb_ch_1`" in actionable["text"]
    outside = early_fraud_warning_message(
        dataclasses.replace(facts, charge_ref=None), fraud_type="misc", actionable=True
    )
    assert "Consider refunding it now in Stripe" in outside["text"]
    done = early_fraud_warning_message(facts, fraud_type="misc", actionable=False)
    assert "Consider" not in done["text"] and "nothing more to do" in done["text"]


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("external_account", "a bank account for payouts"),
        ("individual.dob.day", "date of birth"),
        ("individual.verification.document", "an identity document"),
        ("representative.id_number", "the representative's ID number (SSN or national ID)"),
        ("person_1AbC.first_name", "a person's first name"),
        ("individual.id_number", "an ID number (SSN or national ID)"),
        ("company.tax_id", "the company's tax ID"),
        ("tos_acceptance.ip", "acceptance of Stripe's terms of service"),
        ("settings.payments.statement_descriptor", "settings › payments › statement descriptor"),
    ],
)
def test_requirement_names(field: str, name: str) -> None:
    assert requirement_name(field) == name


def test_a_date_of_birth_in_three_fields_reads_once() -> None:
    fields = ["individual.dob.day", "individual.dob.month", "individual.dob.year"]
    assert requirement_names([*fields, "external_account"]) == [
        "date of birth",
        "a bank account for payouts",
    ]


@given(st.lists(st.from_regex(r"[a-z_]{1,12}(\.[a-z_0-9]{1,12}){0,3}", fullmatch=True)))
def test_requirement_names_are_distinct_plain_words_in_stripes_order(fields: list[str]) -> None:
    names = requirement_names(fields)
    assert len(names) == len(set(names)) <= len(fields)
    assert all(name and "." not in name for name in names)
    assert names == [n for n in dict.fromkeys(requirement_name(f) for f in fields)]


def test_a_capability_change_and_a_label_link_the_account() -> None:
    msg = capability_message(
        vendor_label="<@U0V>",
        account="acct_1V",
        livemode=True,
        capability="card_payments",
        status="inactive",
        before="active",
    )
    assert msg["text"] == (
        "<@U0V>'s card payments capability is now inactive: Stripe needs more information "
        "(was active)."
    )
    assert "https://dashboard.stripe.com/connect/accounts/acct_1V|acct_1V" in everything(msg)
    assert vendor_label(None, "acct_2", livemode=False) == (
        "<https://dashboard.stripe.com/test/connect/accounts/acct_2|acct_2>"
    )
    assert vendor_label("U1", "acct_2", livemode=False) == "<@U1>"
    assert vendor_label(None, None, livemode=False) == "the platform"


def test_an_expiring_card_asks_for_a_new_one() -> None:
    msg = card_expiring_message(
        email="jane@example.com",
        card="Visa •••• 4242 (exp 12/26)",
        exp_month=12,
        exp_year=2026,
        customer_link="<https://dashboard.stripe.com/test/customers/cus_1|cus_1>",
    )
    assert "expires at the end of 2026-12" in msg["text"]
    assert "`/add-customer jane@example.com`" in msg["text"]


def test_the_older_messages_link_their_stripe_ids_too() -> None:
    from bot.views.charge_messages import ChargeFacts, succeeded_message
    from bot.views.customers import shared_message
    from bot.views.onboarding import charges_changed
    from bot.views.refunds import RefundFacts, refund_message
    from bot.views.vendors import VendorLine, vendor_list

    usd = Money(10000, "usd")
    charge = ChargeFacts(
        "cb_ch_1", "U0V", usd, 1000, "jane@example.com", None, "U0OP", None, "pi_1", "acct_1V"
    )
    assert f"<{TEST}/payments/pi_1|pi_1>" in everything(succeeded_message(charge))
    refund = RefundFacts(
        "cb_ch_1",
        "pi_1",
        "re_1",
        "U0V",
        "jane",
        usd,
        Money(1000, "usd"),
        usd,
        Money(0, "usd"),
        account="acct_1V",
        livemode=True,
    )
    shown = everything(refund_message(refund))
    assert "https://dashboard.stripe.com/acct_1V/payments/pi_1|pi_1" in shown and "`re_1`" in shown
    line = VendorLine("U0V", "acct_1V", "connected", True, True, "10%", None, livemode=True)
    assert "https://dashboard.stripe.com/connect/accounts/acct_1V|acct_1V" in everything(
        vendor_list([line], offset=0, total=1)
    )
    flipped = charges_changed("U0V", "acct_1V", enabled=False)
    assert "https://dashboard.stripe.com/test/connect/accounts/acct_1V|acct_1V" in flipped["text"]
    shared = shared_message(
        email="jane@example.com",
        vendor_user_id="U0V",
        card="Visa •••• 4242",
        account="acct_1V",
        customer_on_account="cus_9",
    )
    assert f"<{TEST}/customers/cus_9|cus_9>" in everything(shared)
