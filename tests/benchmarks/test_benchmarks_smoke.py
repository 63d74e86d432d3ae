"""Every benchmark runs end to end at a small scale, so none of them rots between the runs
that measure (`make bench`). The figures of a smoke run mean nothing and are not asserted
against goals; only that each benchmark measured something and its reference."""

from __future__ import annotations

import importlib

import pytest

from tests.benchmarks.run_all import BENCHMARKS

pytestmark = pytest.mark.benchmark

SMOKE_SCALE = {
    "scheduler": 0.01,
    "pipeline": 0.02,
    "ingest": 0.02,
    "outbox": 0.02,
    "anomalies": 0.04,
}


@pytest.mark.parametrize("name", BENCHMARKS)
async def test_benchmark_runs_and_measures(name: str) -> None:
    module = importlib.import_module(f"tests.benchmarks.bench_{name}")
    results = await module.run(SMOKE_SCALE.get(name, 0.05))
    assert results, f"bench_{name} returned no figure"
    for result in results:
        assert result.figure > 0, result
        if result.reference is not None:
            assert result.reference > 0, result
