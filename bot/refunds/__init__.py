"""Refunding a charge: request → stored `pending` refund → Stripe → outcome with its messages.

`requests` checks and sends a refund (and settles the ones Stripe did not answer), `picker`
finds what an operator may pick to refund, `outcomes` records what Stripe said and queues the
messages, `outside` records a refund made in the vendor's Dashboard, and `fee_refunds` reads
how much of the platform fee came back.
"""
