"""`connectbot demo`: the whole story against a fresh sandbox, printed as Slack would show it.

Only `bot/cli.py` imports this package, when the demo runs (it starts the sandbox).
"""
