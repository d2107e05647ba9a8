"""`python -m bench.chaos [--seconds N] [--seed S] [--rate R]` (`make chaos`).

Environment: `CHAOS_SECONDS` (default 120), `CHAOS_SEED` (default: a fresh one, printed at
start so a run can be replayed), `CHAOS_FAULT_RATE` (default 0.1), `CHAOS_STRIPE_FAULTS`
(default: 500, 429, timeout, drop; add 500_after_commit for the fifth kind the fake has)
and `TEST_DATABASE_URL` (a PostgreSQL server; each run creates its own database there and
drops it afterwards).
Exits 1 when any invariant was violated, 2 when the run could not start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
from pathlib import Path

from bench.chaos.faults import ALL_STRIPE_KINDS, STRIPE_KINDS


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("CHAOS_SECONDS", 120))
    )
    seed = os.environ.get("CHAOS_SEED")
    parser.add_argument("--seed", type=int, default=int(seed) if seed else None)
    rate = float(os.environ.get("CHAOS_FAULT_RATE", 0.1))
    parser.add_argument("--rate", type=float, default=rate)
    kinds = os.environ.get("CHAOS_STRIPE_FAULTS", ",".join(STRIPE_KINDS))
    parser.add_argument(
        "--stripe-faults",
        default=kinds,
        help=f"comma-separated kinds of Stripe faults (default: {', '.join(STRIPE_KINDS)})",
    )
    parser.add_argument(
        "--settle", type=float, default=300.0, help="seconds to wait for everything to settle"
    )
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.settle <= 0 or not 0 <= args.rate <= 1:
        parser.error("--seconds and --settle must be positive, --rate between 0 and 1")
    args.stripe_faults = tuple(k.strip() for k in args.stripe_faults.split(",") if k.strip())
    unknown = set(args.stripe_faults) - set(ALL_STRIPE_KINDS)
    if unknown:
        parser.error(f"unknown Stripe fault kinds: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parse(argv)
    except ValueError as exc:
        print(f"chaos: {exc}", file=sys.stderr)
        return 2
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        print(
            "chaos: needs PostgreSQL (three processes share one database): set "
            "TEST_DATABASE_URL=postgresql+asyncpg://USER@HOST:5432/postgres",
            file=sys.stderr,
        )
        return 2
    from bench.chaos.report import details, final_line, table
    from bench.chaos.run import chaos

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    print(
        f"chaos: seed {seed} (CHAOS_SEED={seed} to replay), {args.seconds:g} s, "
        f"fault rate {args.rate:g}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        tally = asyncio.run(
            chaos(
                seconds=args.seconds,
                seed=seed,
                rate=args.rate,
                logs=logs,
                stripe_faults=args.stripe_faults,
                settle_limit=args.settle,
            )
        )
    print(table(tally))
    if tally.violations:
        print(details(tally))
    print(final_line(tally), flush=True)
    return 1 if tally.violations else 0


if __name__ == "__main__":
    sys.exit(main())
