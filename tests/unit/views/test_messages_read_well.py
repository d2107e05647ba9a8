"""Every message a person can get, rendered once with representative facts and read as text.

Each builder of `bot/views`, each refusal of the role checks and the parsers, and each page of
onboarding is rendered to plain text (a message's fallback text and every text in its blocks)
and must read as a sentence would: no doubled punctuation (`::` in one sentence, `..`,
`? with`), no "is failed", no raw cents, no `None`, no unfilled `{}`, no raw status names.
The sentences issue 16 named are checked word for word.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.commands.catalog import COMMANDS, RANKS
from bot.money import Money, parse_money
from bot.parsing import parse_charge_command, parse_notify_command, parse_refund_command
from bot.permissions import NOT_ADMIN, NOT_OPERATOR, not_admin, not_operator
from bot.refusal import Refusal
from bot.stripe_ops.event_types import EVENT_TYPES
from bot.views import (
    approvals,
    cart,
    charge,
    charge_messages,
    customers,
    disputes,
    onboarding,
    payment_alerts,
    payouts,
    refunds,
    requirements,
    vendors,
)
from bot.views.charge import CustomerChoice
from bot.views.charge_messages import ChargeFacts
from bot.views.dashboard import dashboard_link, dashboard_url
from bot.views.digest import VendorDay, digest_message, vendor_digest_message
from bot.views.event_notice import event_notice
from bot.views.fees import fee_summary_message
from bot.views.home import HomeVendor, operator_home, stranger_home, vendor_home
from bot.views.refund_modal import refund_modal
from bot.views.refunds import RefundFacts
from bot.web.pages import onboarding as pages
from storage.repos.refundable import RefundableCharge
from storage.repos.reports import CurrencyTotals, RecentCharge, VendorTotals

MONEY = Money(123456, "usd")  # $1,234.56: "123456" anywhere means raw cents
DISPUTE = disputes.DisputeFacts(
    dispute_id="dp_1",
    amount=MONEY,
    reason="product_not_received",
    status="needs_response",
    due_by=1_700_000_000,
    vendor_label="<@U0V>",
    account="acct_1V",
    livemode=False,
    stripe_charge_id="ch_1",
    charge_ref="cb_ch_abcdefghijkl",
)
INQUIRY = dataclasses.replace(DISPUTE, status="warning_needs_response", charge_ref=None)
PAYMENT = payment_alerts.PaymentFacts(
    object_id="ch_1",
    amount=MONEY,
    vendor_label="<@U0V>",
    account="acct_1V",
    livemode=False,
    charge_ref="cb_ch_abcdefghijkl",
)
FACTS = ChargeFacts(
    charge_id="cb_ch_abcdefghijkl",
    vendor_user_id="U0VENDOR",
    money=MONEY,
    fee=12346,
    customer_email="carol@example.com",
    card="Visa •••• 4242",
    requested_by="U0OPERATOR",
    description="Lunch for two",
    payment_intent_id="pi_3NxABCDEFGH",
    account="acct_1V",
)
REFUND = RefundFacts(
    charge_id="cb_ch_abcdefghijkl",
    payment_intent_id="pi_3NxABCDEFGH",
    refund_id="re_ABCDEFGH",
    vendor_user_id="U0VENDOR",
    customer="carol@example.com",
    refunded=Money(23456, "usd"),
    fee_refunded=Money(2346, "usd"),
    charged=MONEY,
    remaining=Money(100000, "usd"),
)
LAST_REFUND = RefundFacts(**{**REFUND.__dict__, "remaining": Money(0, "usd")})
WHOLE_REFUND = RefundFacts(**{**REFUND.__dict__, "refunded": MONEY, "remaining": Money(0, "usd")})
TOTALS = [CurrencyTotals("usd", 2, 3, 123456, 12346, 23456)]
TOP = [VendorTotals("U0VENDOR", "acct_1Vendor", "usd", 3, 123456, 12346, 23456)]
DAY = VendorDay("U0VENDOR", "acct_1Vendor", tuple(TOP), 1)
HOME_VENDOR = HomeVendor("U0VENDOR", "acct_1Vendor", "connected", True)
RECENT = [
    RecentCharge(
        "cb_ch_abcdefghijkl",
        123456,
        "usd",
        "succeeded",
        "U0VENDOR",
        "carol@example.com",
        datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
    )
]
REFUNDABLE = RefundableCharge("cb_ch_abcdefghijkl", 123456, 23456, "usd", "U0VENDOR", None)
LINE = vendors.VendorLine("U0VENDOR", "acct_1Vendor", "connected", True, False, "10%", None)


def _texts(node: Any) -> list[str]:
    """Every `text` string in a message, view or block, depth first."""
    if isinstance(node, dict):
        # A section's `text` is an object holding the string: read into it too.
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for v in node.values() if not isinstance(v, str) for t in _texts(v)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def plain(rendered: Any) -> str:
    if isinstance(rendered, str):
        return rendered
    if isinstance(rendered, Refusal):
        return rendered.message
    if hasattr(rendered, "text") and isinstance(rendered.text, str):  # an aiohttp page
        return re.sub(r"<[^>]+>", " ", rendered.text.split("<body", 1)[-1])
    return "\n".join(_texts(rendered))


#: name → what a person gets.
MESSAGES: dict[str, Any] = {
    "connect link, own": onboarding.connect_link("https://x.test/a", requested_by=None),
    "connect link, invited": onboarding.connect_link("https://x.test/a", requested_by="U0OP"),
    "connect link, hosted": onboarding.connect_link(
        "https://x.test/a", requested_by=None, hosted=True
    ),
    "connect link, retry": onboarding.connect_link(
        "https://x.test/a", requested_by=None, retry_reason=onboarding.RETRY_REJECTED
    ),
    "already connected": onboarding.already_connected("acct_1V", vendor_user_id="U0V"),
    "already connected, self": onboarding.already_connected("acct_1V"),
    "link sent": onboarding.link_sent("U0V"),
    "welcome": onboarding.vendor_welcome("acct_1V", charges_enabled=False, payouts_enabled=True),
    "connected note": onboarding.vendor_connected_note(
        "U0V",
        "acct_1V",
        livemode=False,
        charges_enabled=True,
        payouts_enabled=True,
        requested_by="U0OP",
    ),
    "declined": onboarding.vendor_declined(),
    "disconnected": onboarding.vendor_disconnected("U0V", "acct_1V", by=None),
    "charges on": onboarding.charges_changed("U0V", "acct_1V", enabled=True),
    "charges off": onboarding.charges_changed("U0V", "acct_1V", enabled=False),
    "checkout link": customers.checkout_link_message(
        email="carol@example.com", url="https://x.test/c", current_card="Visa •••• 4242"
    ),
    "card saved": customers.card_saved_message(email="carol@example.com", card="Visa •••• 4242"),
    "shared": customers.shared_message(
        email="carol@example.com", vendor_user_id="U0V", card="Visa •••• 4242", account="acct_1V"
    ),
    "charge modal": charge.charge_modal(
        vendor_user_id="U0V",
        vendor_account="acct_1V",
        money=MONEY,
        currencies=["usd", "eur"],
        customers=[CustomerChoice(1, "carol@example.com", "Visa •••• 4242")],
        customer_id=1,
        description="Lunch",
        fee_preview="Platform fee $123.46",
        private_metadata="{}",
    ),
    "charge succeeded": charge_messages.succeeded_message(FACTS),
    "charge declined": charge_messages.declined_message(
        FACTS, "Your card was declined.", "card_declined"
    ),
    "charge needs authentication": charge_messages.authentication_message(FACTS),
    "charge delayed": charge_messages.delayed_message(FACTS),
    "charge failed": charge_messages.failed_message(FACTS, "Stripe is unavailable."),
    "charge abandoned": charge_messages.abandoned_message(FACTS),
    "approval request": approvals.approval_request(FACTS, threshold=Money(50000, "usd")),
    "approved": approvals.approval_decided(FACTS, approved=True, by="U0OP2"),
    "approval pending": approvals.approval_pending_note(FACTS),
    "rejected": approvals.rejected_note(FACTS, by="U0OP2"),
    "refund, partial": refunds.refund_message(REFUND),
    "refund, the last part": refunds.refund_message(LAST_REFUND),
    "refund, whole": refunds.refund_message(WHOLE_REFUND),
    "refund, outside": refunds.refund_message(REFUND, outside=True),
    "refund not made": refunds.refund_not_made_message(
        charge_id="cb_ch_1",
        refund=MONEY,
        vendor_user_id="U0V",
        reason="Stripe said no.",
        abandoned=True,
    ),
    "dispute": disputes.dispute_opened_message(DISPUTE),
    "inquiry": disputes.dispute_opened_message(INQUIRY),
    "dispute under review": disputes.dispute_updated_message(
        dataclasses.replace(DISPUTE, status="under_review")
    ),
    "dispute waiting": disputes.dispute_updated_message(DISPUTE),
    "dispute won": disputes.dispute_closed_message(dataclasses.replace(DISPUTE, status="won")),
    "dispute lost": disputes.dispute_closed_message(dataclasses.replace(DISPUTE, status="lost")),
    "inquiry closed": disputes.dispute_closed_message(
        dataclasses.replace(INQUIRY, status="warning_closed")
    ),
    "dispute refunded": disputes.dispute_closed_message(
        dataclasses.replace(DISPUTE, status="charge_refunded")
    ),
    "dispute funds withdrawn": disputes.funds_withdrawn_message(
        DISPUTE, withdrawn=MONEY, fee=Money(1500, "usd")
    ),
    "dispute funds reinstated": disputes.funds_reinstated_message(DISPUTE, reinstated=MONEY),
    "early fraud warning": payment_alerts.early_fraud_warning_message(
        PAYMENT, fraud_type="made_with_stolen_card", actionable=True
    ),
    "early fraud warning, handled": payment_alerts.early_fraud_warning_message(
        dataclasses.replace(PAYMENT, charge_ref=None, amount=None),
        fraud_type="misc",
        actionable=False,
    ),
    "outside charge failed": payment_alerts.outside_charge_failed_message(
        PAYMENT, reason="Your card was declined.", code="card_declined", description="Counter sale"
    ),
    "payment canceled": payment_alerts.payment_canceled_message(PAYMENT, reason="abandoned"),
    "payment canceled, no reason": payment_alerts.payment_canceled_message(PAYMENT, reason=None),
    "requirements due": requirements.requirements_message(
        vendor_label="<@U0V>",
        account="acct_1V",
        livemode=False,
        past_due=[],
        currently_due=["individual.dob.day", "individual.dob.month", "external_account"],
        eventually_due=["company.tax_id"],
        deadline=1_700_000_000,
        disabled_reason=None,
    ),
    "requirements overdue": requirements.requirements_message(
        vendor_label="<@U0V>",
        account="acct_1V",
        livemode=True,
        past_due=["external_account"],
        currently_due=["external_account"],
        eventually_due=[],
        deadline=None,
        disabled_reason="requirements.past_due",
    ),
    "requirements eventually": requirements.requirements_message(
        vendor_label="<@U0V>",
        account="acct_1V",
        livemode=False,
        past_due=[],
        currently_due=[],
        eventually_due=["company.tax_id"],
        deadline=None,
        disabled_reason=None,
    ),
    "capability off": requirements.capability_message(
        vendor_label="<@U0V>",
        account="acct_1V",
        livemode=False,
        capability="card_payments",
        status="inactive",
        before="active",
    ),
    "card expiring": customers.card_expiring_message(
        email="carol@example.com",
        card="Visa •••• 4242 (exp 12/26)",
        exp_month=12,
        exp_year=2026,
        customer_link="<https://dashboard.stripe.com/test/customers/cus_1|cus_1>",
    ),
    "payout paid": payouts.payout_message(
        status="paid", amount=MONEY, vendor_label="<@U0V>", arrival=1_700_000_000, failure=None
    ),
    "payout failed": payouts.payout_message(
        status="failed",
        amount=MONEY,
        vendor_label="<@U0V>",
        arrival=None,
        failure="The bank account was closed.",
        failure_code="account_closed",
        payout_id="po_1",
        account="acct_1V",
    ),
    "vendor list": vendors.vendor_list([LINE], offset=0, total=1),
    "fees": fee_summary_message("this month", TOTALS, TOP, period="2026-03"),
    "fees, one vendor": fee_summary_message("today", TOTALS, TOP, one_vendor=True),
    "fees, nothing": fee_summary_message("today", [], []),
    "digest": digest_message(date(2026, 3, 2), TOTALS, [DAY], 1),
    "digest, quiet day": digest_message(date(2026, 3, 2), [], [], 0),
    "digest, a vendor's": vendor_digest_message(date(2026, 3, 2), DAY),
    "home, operator": operator_home(
        vendors=[HOME_VENDOR],
        vendor_count=1,
        day_label="Mon 2 Mar 2026",
        today=TOTALS,
        top=TOP,
        charges=RECENT,
    ),
    "home, vendor": vendor_home(
        vendor=HOME_VENDOR, day_label="Mon 2 Mar 2026", today=TOTALS, charges=RECENT
    ),
    "home, stranger": stranger_home(),
    "refund modal, one charge": refund_modal(charge=REFUNDABLE, private_metadata="{}"),
    "refund modal, pick one": refund_modal(
        charge=None, choices=[REFUNDABLE], private_metadata="{}"
    ),
    "vendor list, empty": vendors.vendor_list([], offset=0, total=0, own_only=True),
    "disconnect question": vendors.disconnect_confirmation(1, "U0V", "acct_1V"),
    "not operator": NOT_OPERATOR,
    "not admin": NOT_ADMIN,
    **{f"help {c.name} ({role})": c.help_text(role) for c in COMMANDS for role in RANKS},
    **{
        f"not refundable ({s})": refunds.not_refundable("cb_ch_1", s)
        for s in ("failed", "pending", "requires_action", "awaiting_approval", "rejected")
    },
    **{
        f"page {name}": page()
        for name, page in {
            "used": lambda: pages.used_state_page(connected=False),
            "used, connected": lambda: pages.used_state_page(connected=True),
            "expired": pages.expired_state_page,
            "unknown": pages.unknown_state_page,
            "declined": pages.declined_page,
            "incomplete": pages.incomplete_page,
            "unreachable": pages.unreachable_page,
        }.items()
    },
    **{
        f"amount {text}": parse_money(text, default_currency="usd", max_amount=1_000_000)
        for text in ("100,00", "1.000,50", "10,00,000", "0.49", "20000", "100 xyz", "1e3", "-5")
    },
    **{
        f"charge {text}": parse_charge_command(
            f"<@U0V|v> {text}", default_currency="usd", max_amount=1_000_000
        )
        for text in ("100 xyz carol@example.com", "100 all carol@example.com", "100,00")
    },
    "refund ref": parse_refund_command("ch_123", default_currency="usd", max_amount=1_000_000),
    # /notify: the generic rendering of a subscribed event, and the parser's refusals.
    "notify, a vendor's charge": event_notice(
        {
            "id": "evt_1",
            "type": "charge.succeeded",
            "livemode": False,
            "account": "acct_1V",
            "data": {
                "object": {"id": "ch_1", "object": "charge", "amount": 123456, "currency": "usd"}
            },
        },
        vendor_user_id="U0V",
        subscription="charge.*",
    ),
    **{
        f"notify {text}": parse_notify_command(text, known=EVENT_TYPES)
        for text in ("add payout.pad", "add *", "add no.such", "frob", "payout.paid", "add")
    },
}

EMOJI = re.compile(r":[a-z0-9_+-]+:")
LINKS = re.compile(r"<[^>]*>|https?://\S+|`[^`]*`")


def _prose(text: str) -> str:
    """The words a person reads: without emoji codes, links, mentions and code spans."""
    return EMOJI.sub(" ", LINKS.sub(" ", text))


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_reads_well(name: str) -> None:
    text = plain(MESSAGES[name])
    prose = _prose(text)
    assert text.strip(), name
    problems = [
        why
        for why, bad in {
            "two colons in one sentence": any(
                sentence.count(": ") > 1 for sentence in re.split(r"[.!?]\s|\n|·", prose)
            ),
            "a doubled full stop": re.search(r"(?<!\.)\.\.(?!\.)", prose),
            "a question mark mid-sentence": re.search(r"\?\s+[a-z]", prose),
            "'is failed'": "is failed" in text,
            "raw cents": "123456" in text or "12346" in text,
            "None": re.search(r"\bNone\b", text),
            "an unfilled placeholder": re.search(r"[{}]", prose),
            "a raw status": re.search(r"\b(requires_action|awaiting_approval)\b", prose),
            "an environment variable": "USER_IDS" in text,
            "a traceback": "Traceback" in text,
        }.items()
        if bad
    ]
    assert problems == [], (name, problems, text)


def test_the_sentences_issue_16_named() -> None:
    own = plain(MESSAGES["connect link, own"])
    assert "Ready to connect your Stripe account with the marketplace?" in own
    assert "? with" not in own
    invited = plain(MESSAGES["connect link, invited"])
    assert "<@U0OP> invited you to connect your Stripe account with the marketplace." in invited
    assert plain(MESSAGES["amount 100,00"]) == (
        "In connectbot a comma separates thousands (`1,000.50`) and a dot marks the decimals: "
        "write `100,00` as `100.00`."
    )
    assert plain(MESSAGES["charge 100 xyz carol@example.com"]).startswith(
        "`xyz` is not a currency connectbot knows."
    )
    assert plain(MESSAGES["card saved"]).startswith(
        "carol@example.com now has a card on file: Visa •••• 4242."
    )
    assert plain(MESSAGES["not refundable (failed)"]) == (
        "Charge `cb_ch_1` failed, so nothing was charged; only succeeded charges can be refunded."
    )
    whole = plain(MESSAGES["refund, the last part"])
    assert "the whole $1,234.56 is refunded" in whole and "nothing remains" in whole
    assert "$1,234.56 refunded to carol@example.com" in plain(MESSAGES["refund, whole"])
    assert "whole" not in plain(MESSAGES["refund, partial"])
    assert not_operator("charge customers") == (
        "Only connectbot operators can charge customers. Ask a connectbot admin if you need to."
    )
    assert "Ask a connectbot admin" in not_admin("disconnect a vendor")
    assert "and you're connected" in plain(MESSAGES["page used, connected"])


def test_help_shows_only_what_each_role_may_run() -> None:
    for spec in COMMANDS:
        for role in RANKS:
            shown = spec.help_text(role)
            for line, needed in zip(spec.usage, spec.roles, strict=True):
                assert (line in shown) == (RANKS[role] >= RANKS[needed]), (spec.name, role)


#: Messages only the vendor reads (their DM, their own App Home, the answer to their own
#: `/connect-vendor`): an `acct_` link there opens the *platform's* Connect page, which the
#: vendor cannot open, so their own account stays code (issue 17, section 2).
VENDOR_ONLY = {"welcome", "already connected, self", "home, vendor"}
#: A person's own words echoed back in a refusal name no object of ours.
ECHOES = {"refund ref"}
TOKEN = re.compile(r"\b[a-z]+_[A-Za-z0-9]+\b")
LINK = re.compile(r"<https://dashboard\.stripe\.com/[^|>]+\|[^>]*>")


def _unlinked_ids(text: str) -> list[str]:
    """Ids with a Dashboard page that `text` shows outside a Dashboard link."""
    bare = LINK.sub(" ", text)
    return [t for t in TOKEN.findall(bare) if dashboard_url(t, livemode=False) is not None]


_PART = cart.PartFacts(
    "cb_ch_part1", "U0V", MONEY, 12346, "succeeded", None, "pi_3NxPART", "acct_1V", True
)
_CART = cart.CartFacts(
    "cb_cart_1",
    "carol@example.com",
    "U0OP",
    None,
    (_PART, dataclasses.replace(_PART, status="failed", reason="Declined.")),
)
#: Carts' messages, read here for their ids only (their wording has tests of its own).
LINKED_ONLY: dict[str, Any] = {
    "cart summary": cart.cart_summary_message(_CART),
    "cart report": cart.cart_report_message(_CART),
    "cart approval": cart.cart_approval_request(_CART, threshold=Money(50000, "usd")),
    "cart decided": cart.cart_decided(_CART, approved=True, by="U0OP2"),
}
ALL = MESSAGES | LINKED_ONLY


@pytest.mark.parametrize("name", sorted(set(ALL) - VENDOR_ONLY - ECHOES))
def test_every_stripe_id_links_to_its_dashboard_page(name: str) -> None:
    assert _unlinked_ids(plain(ALL[name])) == [], name


def test_the_guard_sees_a_bare_id_and_passes_a_linked_one() -> None:
    assert _unlinked_ids("charge `pi_1` of `acct_1V`, ref `cb_ch_1`, refund `re_1`") == [
        "pi_1",
        "acct_1V",
    ]
    linked = dashboard_link("pi_1", livemode=True, account="acct_1V")
    assert _unlinked_ids(f"charge {linked}") == []


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("already connected", "/test/connect/accounts/acct_1V|acct_1V>"),
        ("charge modal", "/test/connect/accounts/acct_1V|acct_1V>"),
        ("approval request", "/test/connect/accounts/acct_1V|acct_1V>"),
        ("approved", "/acct_1V/test/payments/pi_3NxABCDEFGH|pi_3NxABCDEFGH>"),
        ("disconnect question", "/test/connect/accounts/acct_1V|acct_1V>"),
        ("vendor list", "/test/connect/accounts/acct_1Vendor|acct_1Vendor>"),
        ("digest", "/test/connect/accounts/acct_1Vendor|acct_1Vendor>"),
        ("digest, a vendor's", "/test/connect/accounts/acct_1Vendor|acct_1Vendor>"),
        ("home, operator", "/test/connect/accounts/acct_1Vendor|acct_1Vendor>"),
        ("cart report", "/acct_1V/payments/pi_3NxPART|pi_3NxPART>"),
    ],
)
def test_the_ids_these_messages_name_are_linked(name: str, url: str) -> None:
    """The guard above passes a message that drops its ids: these must still show them."""
    assert f"<https://dashboard.stripe.com{url}" in plain(ALL[name]), name


@pytest.mark.parametrize("name", sorted(VENDOR_ONLY))
def test_a_vendor_reads_their_own_account_as_code(name: str) -> None:
    text = plain(MESSAGES[name])
    assert "`acct_1V" in text and "connect/accounts" not in text, text
