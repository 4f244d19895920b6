"""Figures over several runs: each reported as min / median / max, with the machine's load average.

A target must hold in every run, not in the best one, so each target is checked against the worst run.
Times are bounds to stay under ("p95 under 500 ms": 500 misses it), ratios bounds to stay within
("within 1.5× the floor": 1.5 meets it).
"""

import os
import statistics
from dataclasses import dataclass, field

# Issue 19's targets, each an upper bound that every run must meet. Scales below the province are
# checked against the province's, which they should meet easily.
TARGETS = {
    "province": {
        "nightly_ratio": 1.5,
        "new_month_ratio": 1.5,
        "first_ever_ratio": 3.0,
        "town_median_ms": 25.0,
        "api_ratio": 5.0,
        "overview_p95_ms": 150.0,
        # Issue 14: a 24-month backfill against 24 single-month floors; a dashboard at any period.
        "backfill_ratio": 1.5,
        "period_p95_ms": 300.0,
        # Issue 18: a town's case-count grid of 300 powers × 12 months, shown and saved a row at a time.
        "grid_page_p95_ms": 500.0,
        "grid_save_p95_ms": 100.0,
        # Issue 16: the inboxes and the county board; the full recompute with the calls ÷ its floor.
        "inbox_p95_ms": 300.0,
        "calls_ratio": 2.0,
    },
    "nation": {
        "nightly_ratio": 2.0,
        "new_month_ratio": 2.0,
        "first_ever_ratio": None,
        "town_median_ms": 50.0,
        "api_ratio": None,
        "overview_p95_ms": 300.0,
        "backfill_ratio": None,
        "period_p95_ms": None,
        "grid_page_p95_ms": None,
        "grid_save_p95_ms": None,
        "inbox_p95_ms": 300.0,
        "calls_ratio": 2.0,
    },
}


def targets_for(scale):
    return TARGETS.get(scale, TARGETS["province"])


def load_average():
    """The 1, 5 and 15-minute load averages: on a shared machine every figure moves with them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class Figure:
    """One figure's value in each run, and the bound each run must stay within (if any)."""

    name: str
    unit: str
    target: float | None = None
    values: list[float] = field(default_factory=list)

    @property
    def strict(self):
        """Whether the value must stay under the target, not merely reach it: the issue's times are "under"."""
        return self.unit == "ms"

    def misses(self, value):
        return value >= self.target if self.strict else value > self.target

    def digits(self):
        return 2 if self.unit in ("s", "x", "load", "cores") else 1 if self.unit in ("ms", "req/s", "%") else 0

    def verdict(self):
        """Whether every run met the target; else which runs missed it, with their values, so that the run
        that missed can be read beside its load and its other figures."""
        if self.target is None or not self.values:
            return ""
        missed = [(run, value) for run, value in enumerate(self.values, 1) if self.misses(value)]
        if not missed:
            return "met in every run"
        runs = ", ".join(f"run {run} ({value:.{self.digits()}f})" for run, value in missed)
        return f"MISSED in {len(missed)} of {len(self.values)} runs: {runs}"

    def row(self):
        low, middle, high = min(self.values), statistics.median(self.values), max(self.values)
        cells = [f"{v:.{self.digits()}f}" for v in (low, middle, high)]
        target = f"{'<' if self.strict else '≤'} {self.target:g}" if self.target is not None else ""
        name = f"{self.name}, {self.unit}" if self.unit and self.unit != "load" else self.name
        numbers = " ".join(f"{cell:>9}" for cell in cells)
        return f"{name:<80} {len(self.values):>4} {numbers} {target:>7}  {self.verdict()}"


class Report:
    """Figures in the order first recorded, each with its value in every run."""

    header = f"{'figure':<80} {'runs':>4} {'min':>9} {'median':>9} {'max':>9} {'target':>7}"

    def __init__(self):
        self.figures: dict[str, Figure] = {}

    def add(self, name, value, unit, target=None):
        figure = self.figures.setdefault(name, Figure(name, unit, target))
        figure.values.append(value)

    def lines(self):
        return [self.header, *(figure.row() for figure in self.figures.values())]

    def missed(self):
        return [figure.name for figure in self.figures.values() if figure.verdict().startswith("MISSED")]
