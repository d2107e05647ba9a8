"""The sandbox's seeded workspace: its team, people, channels and secrets, and where a running
sandbox answers. Plain values shared by `bot/sandbox_mode.py`, `bot/sandbox_seed.py` and the
demo, so none of them has to import another for them.
"""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T_SANDBOX"
BOT_TOKEN = "xoxb-connectbot-sandbox"
SIGNING_SECRET = "connectbot-sandbox-signing-secret"
WEBHOOK_SECRET = "whsec_connectbot_sandbox"
CONNECT_WEBHOOK_SECRET = "whsec_connectbot_sandbox_connect"
ADMIN, OPERATOR, VENDOR, VENDOR_2 = "U0ADA", "U0OTTO", "U0VERA", "U0VICTOR"
OPS_CHANNEL, GENERAL_CHANNEL = "C0OPS", "C0GENERAL"
# (id, handle, real name, title, email): the seeded workspace.
PEOPLE = (
    (ADMIN, "ada", "Ada Admin", "admin", "ada@example.com"),
    (OPERATOR, "otto", "Otto Operator", "operator", "otto@example.com"),
    (VENDOR, "vera", "Vera Vendor", "vendor", "vera@example.com"),
    (VENDOR_2, "victor", "Victor Vendor", "vendor", "victor@example.com"),
)


@dataclass(frozen=True)
class SandboxUrls:
    """Where each part of a running sandbox answers (no trailing slashes)."""

    console: str
    slack: str
    stripe: str
    server: str
    database_url: str
