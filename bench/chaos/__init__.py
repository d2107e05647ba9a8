"""`make chaos`: the whole product under faults, then its invariants (docs/reliability.md).

The fake Stripe, the fake Slack and a small network (`network.py`: a load balancer in front of
three `connectbot serve` processes on one PostgreSQL database, and a tap on their Slack calls)
run in this process; a crowd (`acts.py`) does what vendors, operators and customers do while
`faults.py` fails Stripe and Slack calls, shuffles webhooks and SIGKILLs servers. Then the
faults stop, everything settles, and `invariants.py` / `notifications.py` check the outcome.
"""
