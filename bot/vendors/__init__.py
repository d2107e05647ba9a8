"""Vendors: connecting a Stripe account, its state, onboarding links and the vendor settings.

`invitations` makes and delivers Connect links, `hosted` runs Account Links onboarding,
`authorization` finishes a Connect OAuth redirect, `connections` records a vendor connected or
disconnected (the only places a vendor's status changes), `account_state` keeps their
capabilities current, `disconnect` deauthorizes at an admin's request, and `directory` is the
vendor list and the admins' fee and channel settings.
"""
