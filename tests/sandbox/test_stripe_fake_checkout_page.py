"""The fake's hosted Checkout page keeps what the person typed: the expiry is theirs, on the
saved card and on the form shown again after a refusal. What it shows is escaped."""

from __future__ import annotations

import html

import aiohttp
import pytest
import stripe

from sandbox.stripe_fake.checkout import parse_expiry

from .stripe_helpers import setup_session


async def _post(url: str, **form: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=form, allow_redirects=False) as resp:
            return resp.status, await resp.text()


async def test_the_saved_card_has_the_expiry_typed(client: stripe.StripeClient) -> None:
    url, session_id = await setup_session(client)
    status, _ = await _post(url, card_number="4242 4242 4242 4242", exp="03 / 31", cvc="123")
    assert status == 303
    session = await client.v1.checkout.sessions.retrieve_async(session_id)
    assert session.setup_intent is not None
    seti = await client.v1.setup_intents.retrieve_async(str(session.setup_intent))
    pm = await client.v1.payment_methods.retrieve_async(str(seti.payment_method))
    assert pm.card is not None and (pm.card.exp_month, pm.card.exp_year) == (3, 2031)


@pytest.mark.parametrize(
    ("card", "exp", "message"),
    [
        ("4242 4242 4242 4242", "13 / 30", "Your card's expiration month is invalid."),
        ("4242 4242 4242 4242", "05 / 19", "Your card's expiration year is invalid."),
        ("4242 4242 4242 4241", "07 / 33", "Your card number is incorrect."),
    ],
)
async def test_a_refusal_shows_the_form_as_typed(
    client: stripe.StripeClient, card: str, exp: str, message: str
) -> None:
    url, _ = await setup_session(client)
    status, page = await _post(url, card_number=card, exp=exp, cvc="987")
    assert status == 402
    assert message.replace("'", "&#39;") in page
    assert f'value="{card}"' in page and f'value="{exp}"' in page and 'value="987"' in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 / 34", (12, 2034)),
        ("1/2030", (1, 2030)),
        ("06/26", (6, 2026)),
        ("05/26", "Your card's expiration month is invalid."),  # before this month
        ("0/30", "Your card's expiration month is invalid."),
        ("12 / 25", "Your card's expiration year is invalid."),
        ("12", "Your card's expiration date is incomplete."),
        ("ab / cd", "Your card's expiration date is incomplete."),
    ],
)
def test_parse_expiry(text: str, expected: object) -> None:
    assert parse_expiry(text, (2026, 6)) == expected


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
ESCAPED = html.escape(HOSTILE).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")


def assert_escaped(page: str) -> None:
    assert HOSTILE not in page and "<script" not in page.lower() and "<img" not in page.lower()
    assert ESCAPED in page


async def test_checkout_escapes_the_customer_the_cancel_link_and_what_was_typed(
    client: stripe.StripeClient,
) -> None:
    url, _ = await setup_session(
        client, email=HOSTILE, cancel_url="https://shop.example/cancel?x=" + HOSTILE
    )
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as resp:
            assert resp.status == 200
            assert_escaped(await resp.text())
    status, page = await _post(url, card_number=HOSTILE, exp=HOSTILE, cvc=HOSTILE)
    assert status == 402 and "Your card number is incorrect." in page
    assert_escaped(page)
    assert page.count(ESCAPED) >= 4  # the customer, and the three fields as typed
