"""Every benchmark of DESIGN.md's "Measured goals", one after another, in one table:
figure, goal, reference measured in the same run, ratio.

    .venv/bin/python -m tests.benchmarks.run_all            # full size (minutes)
    .venv/bin/python -m tests.benchmarks.run_all --scale 0.05 --only memory dashboard

Each benchmark starts what it measures itself (scratch database, own namespace, processes).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import platform
import sys
import time
from datetime import UTC, datetime

from cmis_shared.settings import CmisSettings
from cmis_shared.telemetry import configure_logging
from tests.benchmarks.common import BenchResult, format_table

BENCHMARKS = (
    "dashboard",
    "freshness",
    "pipeline",
    "ingest",
    "scheduler",
    "schedule_day",
    "manual_priority",
    "outbox",
    "memory",
    "anomalies",
    "backfill",
)


async def run_all(names: list[str], scale: float) -> list[BenchResult]:
    results: list[BenchResult] = []
    for name in names:
        module = importlib.import_module(f"tests.benchmarks.bench_{name}")
        started = time.perf_counter()
        print(f"running bench_{name} ...", file=sys.stderr, flush=True)
        results.extend(await module.run(scale))
        print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, default=list(BENCHMARKS))
    args = parser.parse_args()
    # An unset environment is production: the benchmarks' processes run as tests.
    os.environ["CMIS_ENVIRONMENT"] = "test"
    # Services' debug lines would drown the table: warnings and errors only.
    configure_logging(CmisSettings(log_level="WARNING", log_format="console"))
    results = asyncio.run(run_all(args.only, args.scale))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\nCMIS benchmarks, {stamp}, scale {args.scale}, {platform.machine()}, "
          f"Python {platform.python_version()}\n")  # fmt: skip
    print(format_table(results))


if __name__ == "__main__":
    main()
