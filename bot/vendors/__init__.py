"""Vendors: connecting a Stripe account, its state, onboarding links and the vendor settings.

`invitations` makes and delivers Connect links, `hosted` runs Account Links onboarding,
`authorization` finishes a Connect OAuth redirect, `connections` records a vendor connected or
disconnected (the only places a vendor's status changes), `account_state` keeps their
capabilities current, `disconnect` deauthorizes at an admin's request, `directory` is the
vendor list as each person may see it, `home` the App Home tab likewise, and `vendor_settings`
the admins' fee and channel.
"""
