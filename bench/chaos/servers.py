"""Three `connectbot serve` processes on one PostgreSQL database, killed and started again.

Each start is a new *incarnation* (a number): its own port, its own Slack address on the
network (so its Slack calls are traced to it) and its own log file. `kill()` is SIGKILL: no
shutdown, no cleanup, as a crash would be.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.harness import (
    ADMIN,
    BOT_TOKEN,
    CONNECT_WEBHOOK_SECRET,
    OPERATOR,
    OPERATOR_2,
    OPS_CHANNEL,
    SIGNING_SECRET,
    TEAM_ID,
    WEBHOOK_SECRET,
    free_socket,
)

REPO = Path(__file__).resolve().parents[2]
STRIPE_SECRET_KEY = "sk_test_chaos"
APPROVAL_THRESHOLD = 50_000  # $500.00: the crowd charges on both sides of it
SECRETS = (STRIPE_SECRET_KEY, SIGNING_SECRET, BOT_TOKEN, WEBHOOK_SECRET, CONNECT_WEBHOOK_SECRET)


@dataclass(frozen=True)
class Wiring:
    database_url: str
    public_url: str  # the network's ingress
    stripe_url: str
    network_url: str  # the network's base: /slack/{incarnation}/api/ is Slack for a process


def server_env(wiring: Wiring, *, port: int, incarnation: int) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_TEAM_ID": TEAM_ID,
        "SLACK_API_URL": f"{wiring.network_url}/slack/{incarnation}/api/",
        "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
        "STRIPE_CLIENT_ID": "ca_chaos",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_WEBHOOK_SECRET,
        "STRIPE_API_BASE": wiring.stripe_url,
        "STRIPE_CONNECT_BASE": wiring.stripe_url,
        "PUBLIC_URL": wiring.public_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": wiring.database_url,
        "ADMIN_USER_IDS": ADMIN,
        "OPERATOR_USER_IDS": f"{OPERATOR},{OPERATOR_2}",
        "OPS_CHANNEL_ID": OPS_CHANNEL,
        "APPROVAL_THRESHOLD": str(APPROVAL_THRESHOLD),
    }


@dataclass
class Server:
    incarnation: int
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    ready: bool = False
    killed_at: float | None = None


@dataclass
class ServerPool:
    """`size` server slots; each holds one running incarnation at a time."""

    wiring: Wiring
    logs: Path
    size: int = 3
    servers: list[Server] = field(default_factory=list)
    history: list[Server] = field(default_factory=list)
    kills: int = 0

    def live(self) -> list[str]:
        return [s.url for s in self.servers if s.ready and s.proc.poll() is None]

    def start_one(self) -> Server:
        incarnation = len(self.history) + 1
        sock = free_socket()
        port = sock.getsockname()[1]
        sock.close()
        log = self.logs / f"server-{incarnation:03d}.log"
        env = server_env(self.wiring, port=port, incarnation=incarnation)
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve"],
                env=env,
                cwd=self.logs,
                stdout=out,
                stderr=out,
            )
        server = Server(incarnation, f"http://127.0.0.1:{port}", proc, log)
        self.servers.append(server)
        self.history.append(server)
        return server

    async def wait_ready(self, server: Server, within: float = 60.0) -> None:
        """Until `/healthz` answers 200; refuses (RuntimeError) a process that exits first."""
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if server.proc.poll() is not None:
                    tail = server.log.read_text(errors="replace")[-1500:]
                    raise RuntimeError(f"server {server.incarnation} exited at start:\n{tail}")
                try:
                    async with http.get(f"{server.url}/healthz") as resp:
                        if resp.status == 200:
                            server.ready = True
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"server {server.incarnation} never became healthy")

    async def start_all(self) -> None:
        started = [self.start_one() for _ in range(self.size)]
        await asyncio.gather(*(self.wait_ready(s) for s in started))

    async def kill_and_restart(self, server: Server) -> None:
        """SIGKILL `server`, then start a new incarnation in its slot and wait until ready."""
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        server.killed_at = time.monotonic()
        self.kills += 1
        self.servers.remove(server)
        await self.wait_ready(self.start_one())

    def stop_all(self) -> None:
        """SIGTERM every process (a clean shutdown), SIGKILL any that hang."""
        for server in self.servers:
            if server.proc.poll() is None:
                server.proc.send_signal(signal.SIGTERM)
        for server in self.servers:
            try:
                server.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()
        self.servers.clear()

    def killed_at(self, incarnation: int) -> float | None:
        for server in self.history:
            if server.incarnation == incarnation:
                return server.killed_at
        return None
