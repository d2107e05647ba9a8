"""`BENCH_QUICK=1 python -m bench.run`: the benchmark harness still runs end to end.

Checks the output's shape only (the table, then a `ratio` line per figure with a floor and a
`figure` line per figure, each a number); never a timing: speed is measured, not tested. The
PostgreSQL figures are expected only when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.databases import POSTGRES_URL

REPO = Path(__file__).resolve().parents[3]

RATIOS = ["ack_c1_p50", "ack_c50_rate", "ack_c50_p99", "webhook_sqlite_rate", "webhook_sqlite_p99"]
FIGURES = [
    "money_parse_rate",
    "relay_rate_sqlite",
    "stripe_requests_onboarding",
    "stripe_requests_first_charge",
    "stripe_requests_shared_charge",
    "stripe_requests_share_customer",
    "stripe_requests_fees",
    "rss_peak_mb",  # on PostgreSQL's scale database when there is one, else on SQLite
]
POSTGRES_RATIOS = ["webhook_postgresql_rate", "webhook_postgresql_p99"]
POSTGRES_FIGURES = [
    "relay_rate_postgresql",
    "scale_fees_month_ms",
    "scale_fees_last_month_ms",
    "scale_app_home_ms",
]


def test_the_quick_bench_prints_the_table_and_a_line_per_figure(tmp_path: Path) -> None:
    env = {**os.environ, "BENCH_QUICK": "1", "BENCH_LOG": str(tmp_path / "bench.log")}
    env["PYTHONPATH"] = str(REPO)
    run = subprocess.run(
        [sys.executable, "-m", "bench.run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    shown = f"{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
    assert run.returncode == 0, shown
    assert "Traceback" not in run.stdout + run.stderr, shown
    assert run.stdout.startswith("| figure | connectbot | floor | ratio | detail |"), shown

    values: dict[str, dict[str, float]] = {"ratio": {}, "figure": {}}
    for line in run.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind in values:
            name, value = rest.split(" ")
            values[kind][name] = float(value)  # a number, whatever it is
    ratios = RATIOS + (POSTGRES_RATIOS if POSTGRES_URL else [])
    figures = ratios + FIGURES + (POSTGRES_FIGURES if POSTGRES_URL else [])
    assert sorted(values["ratio"]) == sorted(ratios), shown
    assert sorted(values["figure"]) == sorted(figures), shown
