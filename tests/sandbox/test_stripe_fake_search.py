"""The fake Stripe's PaymentIntent search (eventually consistent), refund list, created filter."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from sandbox.stripe_fake.errors import StripeError
from sandbox.stripe_fake.search import SEARCH_LAG_SECONDS, matches, parse_query
from sandbox.stripe_fake.testing import StripeFake
from tests.sandbox.stripe_helpers import vendor_card


async def _vendor_with_card(c: stripe.StripeClient) -> tuple[str, str, str]:
    """(connected account, its customer, that customer's card) — a shared customer."""
    acct, _, clone = await vendor_card(c)
    opts: Any = {"stripe_account": acct}
    customer = await c.v1.customers.create_async(
        params={"email": "buyer@example.com", "payment_method": clone}, options=opts
    )
    return acct, customer.id, clone


async def _charge(
    c: stripe.StripeClient, acct: str, customer: str, pm: str, ref: str, amount: int = 2000
) -> stripe.PaymentIntent:
    return await c.v1.payment_intents.create_async(
        params={
            "amount": amount,
            "currency": "usd",
            "customer": customer,
            "payment_method": pm,
            "confirm": True,
            "off_session": True,
            "metadata": {"connectbot_charge_id": ref},
        },
        options={"stripe_account": acct},
    )


async def _search(c: stripe.StripeClient, acct: str | None, query: str, **extra: Any) -> Any:
    opts: Any = {"stripe_account": acct} if acct else {}
    return await c.v1.payment_intents.search_async(params={"query": query, **extra}, options=opts)


async def test_search_sees_an_intent_only_after_a_minute_the_list_at_once(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, customer, pm = await _vendor_with_card(client)
    pi = await _charge(client, acct, customer, pm, "cb_ch_one")
    query = "metadata['connectbot_charge_id']:'cb_ch_one'"
    assert (await _search(client, acct, query)).data == []
    listed = await client.v1.payment_intents.list_async(
        params={"customer": customer}, options={"stripe_account": acct}
    )
    assert [p.id for p in listed.data] == [pi.id]
    await stripe_fake.advance_clock(SEARCH_LAG_SECONDS - 5)
    assert (await _search(client, acct, query)).data == []
    await stripe_fake.advance_clock(5)
    found = await _search(client, acct, query)
    assert [p.id for p in found.data] == [pi.id] and found.object == "search_result"
    assert (await _search(client, None, query)).data == []  # another account sees nothing
    problems = [p for r in await stripe_fake.requests() for p in r["problems"]]
    assert problems == []


async def test_search_combines_clauses_and_pages(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, customer, pm = await _vendor_with_card(client)
    ids = [(await _charge(client, acct, customer, pm, f"cb_ch_{i}", 1000 + i)).id for i in range(3)]
    await stripe_fake.advance_clock(SEARCH_LAG_SECONDS)
    both = await _search(
        client, acct, "metadata['connectbot_charge_id']:'cb_ch_1' AND status:'succeeded'"
    )
    assert [p.id for p in both.data] == [ids[1]]
    either = await _search(
        client, acct, 'metadata["connectbot_charge_id"]:"CB_CH_0" or amount>1001'
    )
    assert sorted(p.id for p in either.data) == sorted([ids[0], ids[2]])
    assert [p.id for p in (await _search(client, acct, "-amount<=1001")).data] == [ids[2]]
    first = await _search(client, acct, "currency:'usd'", limit=2)
    assert first.has_more and len(first.data) == 2 and first.next_page
    rest = await _search(client, acct, "currency:'usd'", limit=2, page=first.next_page)
    assert not rest.has_more and {p.id for p in first.data + rest.data} == set(ids)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status:succeeded",  # strings are quoted
        "email:'a@b.c'",  # not a PaymentIntent field
        "status:'a' AND amount>1 OR amount<5",  # AND and OR are exclusive
        "amount~'100'",
        "metadata['k']~'abc'",
        "status:'succeeded' whatever",
        " AND ".join(["amount>1"] * 11),
    ],
)
async def test_bad_queries_are_refused(client: stripe.StripeClient, query: str) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        await _search(client, None, query)
    assert err.value.http_status == 400 and err.value.param == "query"


@pytest.mark.parametrize(
    ("query", "obj", "hit"),
    [
        ("status:'succeeded'", {"status": "succeeded"}, True),
        ("status:'SUCCEEDED'", {"status": "succeeded"}, True),
        ("-status:'succeeded'", {"status": "succeeded"}, False),
        ("customer~'cus_ab'", {"customer": "cus_abc"}, True),
        ("metadata['a']:'1'", {"metadata": {"a": "1"}}, True),
        ("metadata['a']:'1'", {"metadata": {}}, False),
        ("-metadata['a']:'1'", {"metadata": {}}, True),
        ("amount>=100", {"amount": 100}, True),
        ("amount<100", {"amount": 100}, False),
        ("created=5", {"created": 5}, True),
    ],
)
def test_one_clause(query: str, obj: dict[str, Any], hit: bool) -> None:
    [clause], _ = parse_query(query)
    assert matches(obj, clause) is hit


def test_an_unsupported_field_names_itself() -> None:
    with pytest.raises(StripeError) as err:
        parse_query("description:'x'")
    assert "description" in err.value.message and err.value.status == 400


async def test_refunds_list_by_payment_intent_and_charge(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, customer, pm = await _vendor_with_card(client)
    opts: Any = {"stripe_account": acct}
    one = await _charge(client, acct, customer, pm, "cb_ch_r1")
    two = await _charge(client, acct, customer, pm, "cb_ch_r2")
    r1 = await client.v1.refunds.create_async(
        params={"payment_intent": one.id, "amount": 500, "metadata": {"connectbot_refund_id": "7"}},
        options=opts,
    )
    r2 = await client.v1.refunds.create_async(params={"payment_intent": two.id}, options=opts)
    by_intent = await client.v1.refunds.list_async(params={"payment_intent": one.id}, options=opts)
    assert [r.id for r in by_intent.data] == [r1.id] and by_intent.data[0].metadata.to_dict() == {
        "connectbot_refund_id": "7"
    }
    by_charge = await client.v1.refunds.list_async(
        params={"charge": str(two.latest_charge)}, options=opts
    )
    assert [r.id for r in by_charge.data] == [r2.id]
    assert [r.id for r in (await client.v1.refunds.list_async(options=opts)).data] == [r2.id, r1.id]
    assert (await client.v1.refunds.list_async()).data == []  # the platform has none
    problems = [p for r in await stripe_fake.requests() for p in r["problems"]]
    assert problems == []


async def test_lists_filter_by_created(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, customer, pm = await _vendor_with_card(client)
    opts: Any = {"stripe_account": acct}
    old = await _charge(client, acct, customer, pm, "cb_ch_old")
    now = await stripe_fake.advance_clock(3600)
    new = await _charge(client, acct, customer, pm, "cb_ch_new")
    since = await client.v1.payment_intents.list_async(
        params={"customer": customer, "created": {"gte": now}}, options=opts
    )
    assert [p.id for p in since.data] == [new.id]
    before = await client.v1.payment_intents.list_async(
        params={"created": {"lt": now}}, options=opts
    )
    assert [p.id for p in before.data] == [old.id]
    exact = await client.v1.payment_intents.list_async(
        params={"created": old.created}, options=opts
    )
    assert [p.id for p in exact.data] == [old.id]
