"""What every benchmark returns and how the figures are printed.

Each ``bench_*.py`` module exposes ``async def run(scale: float = 1.0) -> list[BenchResult]``
and measures its reference in the same run. ``scale`` shrinks the workload (the test suite's
smoke run uses a small scale so the benchmarks cannot rot); figures only mean something at 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BenchResult:
    name: str
    figure: float
    unit: str
    goal: str
    reference: float | None = None
    reference_label: str = ""
    higher_is_better: bool = True
    goal_met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if not self.reference:
            return None
        return self.figure / self.reference


def format_table(results: list[BenchResult]) -> str:
    header = "| benchmark | figure | goal | reference (same run) | ratio | goal met |"
    lines = [header, "|---|---|---|---|---|---|"]
    for result in results:
        reference = (
            f"{result.reference:,.1f} {result.unit} ({result.reference_label})"
            if result.reference is not None
            else result.reference_label or "-"
        )
        ratio = f"{result.ratio:.2f}" if result.ratio is not None else "-"
        met = {True: "yes", False: "NO", None: "-"}[result.goal_met]
        lines.append(
            f"| {result.name} | {result.figure:,.1f} {result.unit} | {result.goal} "
            f"| {reference} | {ratio} | {met} |"
        )
    return "\n".join(lines)


def print_results(results: list[BenchResult]) -> None:
    print(format_table(results), flush=True)
