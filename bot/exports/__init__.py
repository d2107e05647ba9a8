"""Exports: reports as files shared in Slack (the /fees CSV)."""
