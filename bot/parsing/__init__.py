"""Parse slash-command text into small values, or a `Refusal` saying what was wrong.

Pure code: no I/O and no clock (`today` is passed in). Slack sends mentions escaped
(`<@U123ABC|jane>`, `<#C123ABC|ops>`, `<mailto:jane@example.com|jane@example.com>`) and
escapes `&`, `<`, `>` in the rest of the text as `&amp;`, `&lt;`, `&gt;`. Every refusal says
what was wrong in one sentence; callers append the command's usage text.
"""

from bot.parsing.admin_commands import (
    AddCustomerArgs,
    ConnectVendorArgs,
    FeesArgs,
    ShareCustomerArgs,
    VendorChannelArgs,
    VendorFeeArgs,
    parse_add_customer,
    parse_connect_vendor_command,
    parse_fees_command,
    parse_share_customer,
    parse_vendor_channel_command,
    parse_vendor_disconnect_command,
    parse_vendor_fee_command,
)
from bot.parsing.cart_refunds import CartRefundArgs
from bot.parsing.carts import MAX_CART_VENDORS, CartArgs, CartPart, parse_charge_or_cart
from bot.parsing.money_commands import (
    ChargeArgs,
    RefundArgs,
    parse_charge_command,
    parse_refund_command,
)
from bot.parsing.notify import (
    NotifyArgs,
    NotifyChange,
    NotifyList,
    covered_by,
    groups_of,
    parse_event_type,
    parse_notify_command,
)
from bot.parsing.payouts import PayoutsArgs, parse_payouts_command
from bot.parsing.periods import Period, parse_period
from bot.parsing.tokens import (
    MAX_DESCRIPTION,
    MAX_EMAIL,
    MAX_NAME,
    parse_channel_mention,
    parse_email,
    parse_user_mention,
    split_args,
    unescape_slack,
)

__all__ = [
    "MAX_CART_VENDORS",
    "MAX_DESCRIPTION",
    "MAX_EMAIL",
    "MAX_NAME",
    "AddCustomerArgs",
    "CartArgs",
    "CartPart",
    "CartRefundArgs",
    "ChargeArgs",
    "ConnectVendorArgs",
    "FeesArgs",
    "NotifyArgs",
    "NotifyChange",
    "NotifyList",
    "PayoutsArgs",
    "Period",
    "RefundArgs",
    "ShareCustomerArgs",
    "VendorChannelArgs",
    "VendorFeeArgs",
    "covered_by",
    "groups_of",
    "parse_add_customer",
    "parse_channel_mention",
    "parse_charge_command",
    "parse_charge_or_cart",
    "parse_connect_vendor_command",
    "parse_email",
    "parse_event_type",
    "parse_fees_command",
    "parse_notify_command",
    "parse_payouts_command",
    "parse_period",
    "parse_refund_command",
    "parse_share_customer",
    "parse_user_mention",
    "parse_vendor_channel_command",
    "parse_vendor_disconnect_command",
    "parse_vendor_fee_command",
    "split_args",
    "unescape_slack",
]
