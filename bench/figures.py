"""Figures and how they are printed: a readable table, then one machine-readable line each.

`ratio <name> <value>` is connectbot / floor for a figure that has a floor (a latency ratio
below 1 and a throughput ratio above 1 both mean connectbot is ahead); `figure <name> <value>`
is every figure's own value in its unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.load import Compared, Sample, median_of


@dataclass(frozen=True)
class Figure:
    name: str  # machine name: ack_p50_c1, webhook_rate_sqlite, …
    what: str  # what a reader sees in the table
    unit: str
    value: float
    floor: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.floor:
            return None
        return self.value / self.floor


def from_rounds(
    compared: Compared, *, name: str, what: str, rate_unit: str, percentile: float
) -> list[Figure]:
    """Median over rounds of throughput and of one latency percentile, for both sides."""

    def p(s: Sample) -> float:
        return s.percentile_ms(percentile)

    def rate(s: Sample) -> float:
        return s.rate

    failures = sum(s.failures for s in compared.connectbot)
    note = f"{len(compared.connectbot)} rounds, {failures} non-2xx"
    label = f"p{percentile:g}"
    return [
        Figure(
            f"{name}_rate",
            f"{what}: throughput",
            rate_unit,
            median_of(compared.connectbot, rate),
            median_of(compared.floor, rate),
            note,
        ),
        Figure(
            f"{name}_p{percentile:g}",
            f"{what}: {label}",
            "ms",
            median_of(compared.connectbot, p),
            median_of(compared.floor, p),
            note,
        ),
    ]


def _shown(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def table(figures: list[Figure]) -> str:
    rows = [
        "| figure | connectbot | floor | ratio | detail |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "–"
        floor = _shown(f.floor, f.unit) if f.floor is not None else "–"
        rows.append(f"| {f.what} | {_shown(f.value, f.unit)} | {floor} | {ratio} | {f.note} |")
    return "\n".join(rows)


def lines(figures: list[Figure]) -> str:
    """`ratio` lines for figures with a floor, then a `figure` line for every figure."""
    out = [f"ratio {f.name} {f.ratio:.3f}" for f in figures if f.ratio is not None]
    out += [f"figure {f.name} {f.value:.3f}" for f in figures]
    return "\n".join(out)
