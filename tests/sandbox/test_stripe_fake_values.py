"""The fake Stripe refuses what Stripe refuses in a request's values, and then changes nothing.

Requests are sent as raw form posts (not through stripe-python) so that each test says exactly
what goes over the wire, including what stripe-python would never put in a body.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from stripe._request_options import RequestOptions

from sandbox.stripe_fake.currencies import MINIMUM_CHARGE, PRESENTMENT
from sandbox.stripe_fake.store import STATE_KEY, State
from sandbox.stripe_fake.testing import StripeFake

KEY = {"Authorization": "Bearer sk_test_values"}
Answer = tuple[int, dict[str, Any]]


async def send(
    http: aiohttp.ClientSession,
    fake: StripeFake,
    method: str,
    path: str,
    data: dict[str, str] | None = None,
    *,
    account: str | None = None,
    query: dict[str, str] | None = None,
) -> Answer:
    headers = dict(KEY, **({"Stripe-Account": account} if account else {}))
    async with http.request(
        method, fake.url + path, data=data, params=query, headers=headers
    ) as resp:
        return resp.status, await resp.json()


def state(fake: StripeFake) -> State:
    return fake.app[STATE_KEY]


def snapshot(fake: StripeFake) -> tuple[int, int, int]:
    """How much the fake holds: objects, events, idempotent results."""
    s = state(fake)
    return len(s.objects), len(s.events), len(s.idempotency.saved)


def assert_refused(answer: Answer, *, param: str | None, code: str | None, message: str) -> None:
    status, body = answer
    assert status == 400, body
    error = body["error"]
    assert error["type"] == "invalid_request_error"
    assert error.get("param") == param
    assert error.get("code") == code
    assert error["message"] == message


async def connected_account(http: aiohttp.ClientSession, fake: StripeFake) -> str:
    status, body = await send(http, fake, "POST", "/v1/accounts", {"type": "standard"})
    assert status == 200, body
    return str(body["id"])


# ------------------------------------------------------------------------------------------
# Request options are never parameters
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", sorted(RequestOptions.__annotations__))
async def test_a_request_option_in_the_body_is_an_unknown_parameter(
    stripe_fake: StripeFake, http: aiohttp.ClientSession, option: str
) -> None:
    acct = await connected_account(http, stripe_fake)
    before = snapshot(stripe_fake)
    answer = await send(
        http, stripe_fake, "POST", "/v1/customers", {"email": "a@b.co", option: acct}
    )
    assert_refused(
        answer,
        param=option,
        code="parameter_unknown",
        message=f"Received unknown parameter: {option}",
    )
    assert snapshot(stripe_fake) == before  # no customer on the platform, nor on acct


async def test_stripe_account_in_a_query_string_is_refused_too(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    acct = await connected_account(http, stripe_fake)
    answer = await send(http, stripe_fake, "GET", "/v1/customers", query={"stripe_account": acct})
    assert_refused(
        answer,
        param="stripe_account",
        code="parameter_unknown",
        message="Received unknown parameter: stripe_account",
    )
    # expand is a real parameter, and the header is how an account is named.
    status, body = await send(
        http,
        stripe_fake,
        "GET",
        "/v1/customers",
        query={"expand[]": "data.default_source"},
        account=acct,
    )
    assert status == 200, body


async def test_a_refused_request_saves_no_idempotent_result(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    headers = dict(KEY, **{"Idempotency-Key": "k-1"})
    async with http.post(
        stripe_fake.url + "/v1/customers",
        data={"email": "a@b.co", "idempotency_key": "k-1"},
        headers=headers,
    ) as resp:
        assert resp.status == 400
    async with http.post(
        stripe_fake.url + "/v1/customers", data={"email": "a@b.co"}, headers=headers
    ) as resp:
        assert resp.status == 200  # the key was not spent on the refused request


# ------------------------------------------------------------------------------------------
# Amounts, minimums, fees, currencies
# ------------------------------------------------------------------------------------------

AT_LEAST_1 = "This value must be greater than or equal to 1."
REFUSED_CHARGES = [
    # (amount, currency, param, code, message)
    ("49", "usd", "amount", "amount_too_small", "Amount must be at least $0.50 usd"),
    ("29", "gbp", "amount", "amount_too_small", "Amount must be at least £0.30 gbp"),
    ("49", "eur", "amount", "amount_too_small", "Amount must be at least €0.50 eur"),
    ("49", "jpy", "amount", "amount_too_small", "Amount must be at least ¥50 jpy"),
    ("1499", "czk", "amount", "amount_too_small", "Amount must be at least 15.00 czk"),
    ("17499", "huf", "amount", "amount_too_small", "Amount must be at least 175.00 huf"),
    ("999", "mxn", "amount", "amount_too_small", "Amount must be at least $10.00 mxn"),
    ("999", "thb", "amount", "amount_too_small", "Amount must be at least 10.00 thb"),
    ("199", "aed", "amount", "amount_too_small", "Amount must be at least 2.00 aed"),
    ("399", "hkd", "amount", "amount_too_small", "Amount must be at least $4.00 hkd"),
    ("49", "krw", "amount", "amount_too_small", "Amount must be at least ₩50 krw"),
    ("0", "usd", "amount", "parameter_invalid_integer", AT_LEAST_1),
    ("-500", "usd", "amount", "parameter_invalid_integer", "Invalid positive integer"),
    ("100000000", "usd", "amount", "amount_too_large", "Amount must be no more than $999,999.99"),
    ("100000000", "jpy", "amount", "amount_too_large", "Amount must be no more than ¥99,999,999"),
    ("12.50", "usd", "amount", "parameter_invalid_integer", "Invalid integer: 12.50"),
]  # fmt: skip


@pytest.mark.parametrize(("amount", "currency", "param", "code", "message"), REFUSED_CHARGES)
async def test_a_payment_intent_amount_stripe_refuses(
    stripe_fake: StripeFake,
    http: aiohttp.ClientSession,
    amount: str,
    currency: str,
    param: str,
    code: str,
    message: str,
) -> None:
    acct = await connected_account(http, stripe_fake)
    before = snapshot(stripe_fake)
    data = {"amount": amount, "currency": currency, "payment_method": "pm_card_visa"}
    answer = await send(http, stripe_fake, "POST", "/v1/payment_intents", data, account=acct)
    assert_refused(answer, param=param, code=code, message=message)
    assert snapshot(stripe_fake) == before


@pytest.mark.parametrize(("currency", "minimum"), sorted(MINIMUM_CHARGE.items()))
async def test_each_currency_charges_from_its_published_minimum(
    stripe_fake: StripeFake, http: aiohttp.ClientSession, currency: str, minimum: int
) -> None:
    acct = await connected_account(http, stripe_fake)
    below = {"amount": str(minimum - 1), "currency": currency}
    status, body = await send(http, stripe_fake, "POST", "/v1/payment_intents", below, account=acct)
    assert (status, body["error"]["code"]) == (400, "amount_too_small")
    assert body["error"]["message"].endswith(f" {currency}")
    at = {"amount": str(minimum), "currency": currency.upper()}
    status, body = await send(http, stripe_fake, "POST", "/v1/payment_intents", at, account=acct)
    assert status == 200, body
    assert (body["amount"], body["currency"]) == (minimum, currency)


async def test_eight_digits_is_the_most_an_amount_has(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    acct = await connected_account(http, stripe_fake)
    data = {"amount": "99999999", "currency": "usd"}
    status, body = await send(http, stripe_fake, "POST", "/v1/payment_intents", data, account=acct)
    assert (status, body["amount"]) == (200, 99999999)


async def test_an_unknown_currency_is_refused_in_stripe_words(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    acct = await connected_account(http, stripe_fake)
    before = snapshot(stripe_fake)
    data = {"amount": "1000", "currency": "xyz"}
    status, body = await send(http, stripe_fake, "POST", "/v1/payment_intents", data, account=acct)
    assert status == 400
    message = body["error"]["message"]
    assert message.startswith(
        "Invalid currency: xyz. Stripe currently supports these currencies: usd, aed, afn, "
    )
    assert message.count(", ") == len(PRESENTMENT) - 1
    assert body["error"]["param"] == "currency"
    assert snapshot(stripe_fake) == before


@pytest.mark.parametrize(
    ("fee", "code", "message"),
    [
        ("-1", "parameter_invalid_integer", "Invalid non-negative integer"),
        ("1001", None, "The application fee amount must be less than the payment amount."),
    ],
)
async def test_an_application_fee_below_zero_or_above_the_amount_is_refused(
    stripe_fake: StripeFake, http: aiohttp.ClientSession, fee: str, code: str | None, message: str
) -> None:
    acct = await connected_account(http, stripe_fake)
    before = snapshot(stripe_fake)
    data = {"amount": "1000", "currency": "usd", "application_fee_amount": fee}
    answer = await send(http, stripe_fake, "POST", "/v1/payment_intents", data, account=acct)
    assert_refused(answer, param="application_fee_amount", code=code, message=message)
    assert snapshot(stripe_fake) == before


async def test_an_application_fee_may_be_zero_or_the_whole_amount(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    acct = await connected_account(http, stripe_fake)
    for fee in ("0", "1000"):
        data = {"amount": "1000", "currency": "usd", "application_fee_amount": fee}
        status, body = await send(
            http, stripe_fake, "POST", "/v1/payment_intents", data, account=acct
        )
        assert (status, body["application_fee_amount"]) == (200, int(fee)), body


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        ("0", "parameter_invalid_integer", "This value must be greater than or equal to 1."),
        ("-1", "parameter_invalid_integer", "Invalid positive integer"),
        ("123456789", "amount_too_large", "Amount must be no more than $999,999.99"),
    ],
)
async def test_a_refund_amount_stripe_refuses(
    stripe_fake: StripeFake, http: aiohttp.ClientSession, amount: str, code: str, message: str
) -> None:
    before = snapshot(stripe_fake)
    data = {"charge": "ch_nothing", "amount": amount}
    answer = await send(http, stripe_fake, "POST", "/v1/refunds", data)
    assert_refused(answer, param="amount", code=code, message=message)
    fee_refund = await send(
        http, stripe_fake, "POST", "/v1/application_fees/fee_nothing/refunds", {"amount": amount}
    )
    assert_refused(fee_refund, param="amount", code=code, message=message)
    assert snapshot(stripe_fake) == before


# ------------------------------------------------------------------------------------------
# Metadata
# ------------------------------------------------------------------------------------------


def metadata(pairs: dict[str, str], prefix: str = "metadata") -> dict[str, str]:
    return {f"{prefix}[{k}]": v for k, v in pairs.items()}


async def test_metadata_within_stripe_limits_is_kept(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    pairs = {f"k{i:02d}": "v" for i in range(49)} | {"k" * 40: "v" * 500}
    status, body = await send(http, stripe_fake, "POST", "/v1/customers", metadata(pairs))
    assert status == 200, body
    assert body["metadata"] == pairs


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (
            {f"k{i:02d}": "v" for i in range(51)},
            "Metadata can have up to 50 keys, but you've set 51. "
            "Email us at support+metadata@stripe.com for more information.",
        ),
        ({"k" * 41: "v"}, f"Invalid key: {'k' * 41} must be a string under 40 characters"),
        ({"note": "v" * 501}, f"Invalid val: {'v' * 501} must be a string under 500 characters"),
    ],
)
async def test_metadata_beyond_stripe_limits_is_refused(
    stripe_fake: StripeFake, http: aiohttp.ClientSession, pairs: dict[str, str], message: str
) -> None:
    before = snapshot(stripe_fake)
    answer = await send(http, stripe_fake, "POST", "/v1/customers", metadata(pairs))
    assert_refused(answer, param="metadata", code=None, message=message)
    assert snapshot(stripe_fake) == before
    acct = await connected_account(http, stripe_fake)
    before = snapshot(stripe_fake)
    nested = metadata(pairs, "payment_method_data[metadata]")
    data = {"amount": "1000", "currency": "usd", "payment_method_data[type]": "paypal", **nested}
    answer = await send(http, stripe_fake, "POST", "/v1/payment_intents", data, account=acct)
    assert_refused(answer, param="payment_method_data[metadata]", code=None, message=message)
    assert snapshot(stripe_fake) == before


# ------------------------------------------------------------------------------------------
# Enums, and objects named under the wrong account
# ------------------------------------------------------------------------------------------


async def test_an_enum_value_outside_stripe_pythons_literal_is_refused(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    before = snapshot(stripe_fake)
    data = {"mode": "subscribe", "success_url": "https://example.com/done"}
    answer = await send(http, stripe_fake, "POST", "/v1/checkout/sessions", data)
    assert_refused(
        answer,
        param="mode",
        code=None,
        message="Invalid mode: must be one of payment, setup, or subscription",
    )
    reason = {"charge": "ch_x", "reason": "changed_mind"}
    answer = await send(http, stripe_fake, "POST", "/v1/refunds", reason)
    assert_refused(
        answer,
        param="reason",
        code=None,
        message="Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
    )
    assert snapshot(stripe_fake) == before


async def test_an_object_named_under_another_account_is_404_and_a_problem_of_the_request(
    stripe_fake: StripeFake, http: aiohttp.ClientSession
) -> None:
    owner = await connected_account(http, stripe_fake)
    other = await connected_account(http, stripe_fake)
    data = {"amount": "1000", "currency": "usd"}
    status, pi = await send(http, stripe_fake, "POST", "/v1/payment_intents", data, account=owner)
    assert status == 200
    status, body = await send(
        http, stripe_fake, "GET", f"/v1/payment_intents/{pi['id']}", account=other
    )
    assert (status, body["error"]["code"]) == (404, "resource_missing")
    status, body = await send(
        http, stripe_fake, "POST", "/v1/refunds", {"payment_intent": pi["id"]}
    )
    assert (status, body["error"]["code"]) == (404, "resource_missing")
    status, body = await send(http, stripe_fake, "GET", "/v1/payment_intents/pi_nowhere")
    assert status == 404
    log = await stripe_fake.requests()
    problems = [e["problems"] for e in log if e["status"] == 404]
    assert problems == [
        [f"payment_intent {pi['id']} lives on {owner}, but the request acted as {other} "
         "(Stripe-Account)"],
        [f"payment_intent {pi['id']} lives on {owner}, but the request acted as the platform "
         "(Stripe-Account)"],
        [],  # an id that exists nowhere is an honest 404
    ]  # fmt: skip
