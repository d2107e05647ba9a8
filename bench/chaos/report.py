"""The run's table (Markdown, as docs/reliability.md records it) and its one final line."""

from __future__ import annotations

from bench.chaos.run import Tally


def table(tally: Tally) -> str:
    lines = ["| what | kind | count |", "|---|---|---|"]
    for name, count in sorted(tally.operations.items()):
        lines.append(f"| operation | {name} | {count} |")
    for name, count in sorted(tally.gave_up.items()):
        lines.append(f"| gave up (not a violation) | {name} | {count} |")
    for name, count in sorted(tally.faults.items()):
        lines.append(f"| fault | {name} | {count} |")
    lines.append(f"| fault | SIGKILL of a server process | {tally.kills} |")
    for name, count in sorted(tally.duplicates.items()):
        lines.append(f"| documented duplicate | {name} | {count} |")
    lines.append(f"| settling | seconds until nothing was pending | {tally.settle_seconds:.0f} |")
    for name, found in tally.checks.items():
        lines.append(f"| violations | {name} | {len(found)} |")
    return "\n".join(lines)


def details(tally: Tally, limit: int = 20) -> str:
    """Each violation, one line, at most `limit` per check."""
    out = []
    for name, found in tally.checks.items():
        for line in found[:limit]:
            out.append(f"VIOLATION [{name}] {line}")
        if len(found) > limit:
            out.append(f"VIOLATION [{name}] … and {len(found) - limit} more")
    return "\n".join(out)


def final_line(tally: Tally) -> str:
    operations = sum(tally.operations.values())
    faults = sum(tally.faults.values()) + tally.kills
    return (
        f"chaos: {operations} operations, {faults} faults, {tally.kills} kills, "
        f"{tally.violations} violations"
    )
