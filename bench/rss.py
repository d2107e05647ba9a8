"""Peak resident memory of a `connectbot serve` subprocess under load.

The server runs as its own process (`python -m bot.cli serve`) on the benchmark's database,
against the same in-process fakes; its peak is the kernel's high-water mark (`VmHWM` in
/proc/<pid>/status), read after the load, so the bench's own memory (fakes, load, seeding)
is never counted.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.figures import Figure
from bench.load import batch
from bench.sizes import Sizes
from bench.slash import charge_side
from bench.webhooks import webhook_side
from tests.harness import ADMIN, CONNECT_WEBHOOK_SECRET, OPERATOR, TEAM_ID, Connectbot, free_socket
from tests.processes import ServerProcess, server_env


def peak_rss_mb(pid: int) -> float:
    """VmHWM of `pid` in MiB (0 where /proc is absent)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`connectbot serve` in `log`'s folder (no `.env` there), its output into `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=out,
        )


async def server_rss(
    cb: Connectbot,
    sizes: Sizes,
    *,
    extra: Callable[[str], Awaitable[None]] | None = None,
    label: str,
) -> Figure:
    """Start a server process on `cb`'s database and fakes, send it `/charge` at the loaded
    concurrency and webhooks at theirs (then `extra(url)`, if given), and read its peak."""
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = server_env(
        database_url=cb.settings.database_url, port=port, slack_api_url=cb.slack.api_url
    ) | {
        "SLACK_TEAM_ID": TEAM_ID,
        "STRIPE_API_BASE": cb.stripe.url,
        "STRIPE_CONNECT_BASE": cb.stripe.url,
        "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_WEBHOOK_SECRET,
        "ADMIN_USER_IDS": ADMIN,
        "OPERATOR_USER_IDS": OPERATOR,
    }
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        proc = _start(env, log)
        try:
            server = ServerProcess(proc, f"http://127.0.0.1:{port}", log)
            await server.healthy()
            acks = charge_side(cb, f"{server.url}/slack/events")
            hooks = webhook_side(cb.http, f"{server.url}/stripe/webhook")
            for _ in range(2):
                await batch(acks, total=sizes.ack_loaded, concurrency=sizes.ack_concurrency)
                await batch(hooks, total=sizes.webhooks, concurrency=sizes.webhook_concurrency)
            if extra is not None:
                await extra(server.url)
            peak = peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return Figure(
        "rss_peak_mb",
        f"server process peak RSS ({label})",
        "MiB",
        peak,
        note="VmHWM of a `connectbot serve` subprocess after the load",
    )
