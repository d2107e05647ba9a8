"""Charging a customer on a vendor's behalf: draft → stored row → (approval) → Stripe → outcome.

`drafts` checks what was asked, `confirm` builds the /charge confirmation modal, `submit`
stores it, `approvals` records a second operator's decision, `execute` runs a stored charge
against Stripe, `outcomes` records what Stripe said and queues the messages in the same
transaction, and `lookup` finds the charge a Stripe event is about.

Split carts (several vendors, one customer) are `cart_*`: `cart_drafts` checks the parts,
`cart_confirm` builds the modal, `cart_submit` stores the cart and its parts (ordinary charge
rows) and runs them, `cart_settlement` announces a cart once its parts have answered,
`cart_retry` retries failed parts, `cart_approvals` decides a cart above the threshold.
"""
