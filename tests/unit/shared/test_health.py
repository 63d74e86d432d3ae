"""Readiness checks and the dependency watchdog, without servers."""

from __future__ import annotations

import asyncio

from cmis_shared.health import HealthChecks
from cmis_shared.watchdog import EXIT_CODE, DependencyWatchdog


async def _ok() -> bool:
    return True


async def _down() -> None:
    raise ConnectionRefusedError("connection refused")


async def _hangs() -> None:
    await asyncio.Event().wait()


async def _detail() -> str:
    return "3 waiting"


async def test_readiness_lists_every_check_and_fails_on_any() -> None:
    checks = HealthChecks(timeout_seconds=0.05)
    checks.add("database", _ok, dependency=True)
    checks.add("redis", _down, dependency=True)
    checks.add("outbox", _detail)
    checks.add("slow", _hangs)
    readiness = await checks.run()
    assert readiness.status_code == 503
    body = readiness.to_dict()
    assert body["status"] == "not ready"
    assert body["checks"] == {
        "database": {"ok": True, "detail": ""},
        "redis": {"ok": False, "detail": "ConnectionRefusedError('connection refused')"},
        "outbox": {"ok": True, "detail": "3 waiting"},
        "slow": {"ok": False, "detail": "no answer within 0.05 s"},
    }
    only = await checks.run(dependencies_only=True)
    assert [c.name for c in only.checks] == ["database", "redis"]


async def test_a_check_slow_to_unwind_after_its_timeout_does_not_hold_the_report() -> None:
    """A broker call cut off mid-reconnect can take long to unwind once cancelled: the
    report is due at the timeout all the same (/readyz answered nothing for over 10 s)."""
    released = asyncio.Event()

    async def unwinds_slowly() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await released.wait()  # the cancelled call still cleaning up

    checks = HealthChecks(timeout_seconds=0.05)
    checks.add("broker", unwinds_slowly, dependency=True)
    report = asyncio.ensure_future(checks.run())
    done, _ = await asyncio.wait({report}, timeout=5)
    released.set()
    assert report in done, "the report waited for the abandoned check to unwind"
    assert report.result().to_dict()["checks"] == {
        "broker": {"ok": False, "detail": "no answer within 0.05 s"}
    }


async def test_all_checks_passing_is_ready() -> None:
    checks = HealthChecks(timeout_seconds=1)
    checks.add("database", _ok, dependency=True)
    readiness = await checks.run()
    assert readiness.ok
    assert readiness.status_code == 200


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_watchdog_exits_only_after_a_dependency_stays_down_past_the_limit() -> None:
    state = {"redis": _down}
    checks = HealthChecks(timeout_seconds=1)
    checks.add("database", _ok, dependency=True)
    checks.add("redis", lambda: state["redis"](), dependency=True)
    checks.add("outbox", _down)  # not a dependency: never a reason to exit
    exits: list[int] = []
    clock = FakeMonotonic()
    watchdog = DependencyWatchdog(
        lambda: checks.run(dependencies_only=True),
        limit_seconds=120,
        interval_seconds=5,
        exit=exits.append,
        monotonic=clock,
    )
    await watchdog.check_once()
    clock.now += 119
    await watchdog.check_once()
    assert exits == []

    state["redis"] = _ok  # back before the limit: the outage clock restarts
    await watchdog.check_once()
    assert watchdog.down_since == {}
    state["redis"] = _down
    await watchdog.check_once()
    clock.now += 120
    await watchdog.check_once()
    assert exits == [EXIT_CODE]
