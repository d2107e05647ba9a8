"""Charging a customer on a vendor's behalf: draft → stored row → (approval) → Stripe → outcome.

`drafts` checks what was asked, `confirm` builds the /charge confirmation modal, `submit`
stores it, `approvals` records a second operator's decision, `execute` runs a stored charge
against Stripe, `outcomes` records what Stripe said and queues the messages in the same
transaction, and `lookup` finds the charge a Stripe event is about.
"""
