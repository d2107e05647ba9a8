"""Real `connectbot serve` processes, for tests of what several processes or a crash do."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp

from tests.harness import BOT_TOKEN, OPS_CHANNEL, SIGNING_SECRET, WEBHOOK_SECRET, free_socket

REPO = Path(__file__).resolve().parents[1]


def server_env(*, database_url: str, port: int, slack_api_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack_api_url,
        "STRIPE_SECRET_KEY": "sk_test_connectbot",
        "STRIPE_CLIENT_ID": "ca_connectbot",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": "http://127.0.0.1:9",  # these tests never reach Stripe
        "STRIPE_CONNECT_BASE": "http://127.0.0.1:9",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "OPS_CHANNEL_ID": OPS_CHANNEL,
    }


@contextmanager
def server_process(*, database_url: str, slack_api_url: str, log: Path) -> Iterator[ServerProcess]:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = server_env(database_url=database_url, port=port, slack_api_url=slack_api_url)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=out,
        )
    server = ServerProcess(proc, f"http://127.0.0.1:{port}", log)
    try:
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class ServerProcess:
    def __init__(self, proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.proc, self.url, self.log = proc, url, log

    async def healthy(self, timeout: float = 30.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as http:
            while asyncio.get_running_loop().time() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"server exited: {self.log.read_text()[-2000:]}")
                try:
                    async with http.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"server never became healthy: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash would be."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
