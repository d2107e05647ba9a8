"""The marketplace's customers: adding one, saving their card, sharing them with a vendor.

`checks` says who may be shared with or charged for (and words a Stripe failure), `adding`
finds or creates the platform customer and makes their card link, `cards` records the card
Stripe Checkout saved, `sharing` puts the customer and their card on a vendor's account. The
Stripe calls live in `bot/stripe_ops`; the rows in `storage/repos/customers.py`.
"""
