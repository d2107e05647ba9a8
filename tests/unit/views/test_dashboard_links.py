"""Dashboard links: live and test forms, platform and connected-account objects."""

from __future__ import annotations

import pytest

from bot.views.dashboard import dashboard_link, dashboard_url


@pytest.mark.parametrize(
    ("object_id", "livemode", "account", "url"),
    [
        ("pi_1", False, "acct_v", "https://dashboard.stripe.com/acct_v/test/payments/pi_1"),
        ("pi_1", True, "acct_v", "https://dashboard.stripe.com/acct_v/payments/pi_1"),
        ("ch_1", False, "acct_v", "https://dashboard.stripe.com/acct_v/test/payments/ch_1"),
        ("cus_1", False, None, "https://dashboard.stripe.com/test/customers/cus_1"),
        ("cus_1", True, None, "https://dashboard.stripe.com/customers/cus_1"),
        ("po_1", True, "acct_v", "https://dashboard.stripe.com/acct_v/payouts/po_1"),
        ("du_1", False, "acct_v", "https://dashboard.stripe.com/acct_v/test/disputes/du_1"),
        ("acct_v", False, "acct_x", "https://dashboard.stripe.com/test/connect/accounts/acct_v"),
        ("acct_v", True, None, "https://dashboard.stripe.com/connect/accounts/acct_v"),
        ("fee_1", True, None, "https://dashboard.stripe.com/connect/application_fees/fee_1"),
        ("re_1", True, "acct_v", None),
        ("nonsense", False, None, None),
    ],
)
def test_dashboard_url(
    object_id: str, livemode: bool, account: str | None, url: str | None
) -> None:
    assert dashboard_url(object_id, livemode=livemode, account=account) == url


def test_an_id_without_a_page_is_code_and_one_with_a_page_is_a_link() -> None:
    assert dashboard_link("re_1", livemode=False) == "`re_1`"
    link = dashboard_link("pi_1", livemode=False, account="acct_v")
    assert link == "<https://dashboard.stripe.com/acct_v/test/payments/pi_1|pi_1>"
