"""`make chaos` for 20 seconds: the whole product under faults ends with no violation.

Runs `python -m bench.chaos` as `make chaos` does (three `connectbot serve` processes on a fresh
PostgreSQL database, the fakes, the crowd, faults and kills), then reads its last line. Needs
PostgreSQL; without TEST_DATABASE_URL it is skipped and says so. It takes a few minutes, most of
them settling (docs/reliability.md says why).

Stripe's faults are the four kinds a `make chaos` injects by default (500, 429, timeout,
executed then the answer lost); bench/chaos/faults.py says why the fifth kind the fake has, a
500 saved under the idempotency key, is opt-in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import POSTGRES_URL

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.postgres
def test_twenty_seconds_of_chaos_end_with_no_violation(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("chaos needs PostgreSQL: TEST_DATABASE_URL is not set")
    env = {**os.environ, "CHAOS_SECONDS": "20", "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-m", "bench.chaos", "--settle", "240", "--logs", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    shown = f"{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    assert run.returncode == 0, shown
    assert last.startswith("chaos: ") and last.endswith(" 0 violations"), shown
