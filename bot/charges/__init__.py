"""Charging a customer on a vendor's behalf: draft → stored row → (approval) → Stripe → outcome.

`drafts` checks what was asked, `submit` stores it, `execute` runs a stored charge against
Stripe, `outcomes` records what Stripe said and queues the messages in the same transaction.
"""
