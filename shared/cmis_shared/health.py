"""Readiness: named checks run concurrently, each with a timeout, into one report.

A check is a coroutine function: it passes when it returns anything but ``False`` without
raising (so ``redis.ping`` is a check as it stands); a returned string becomes its detail.
Checks marked ``dependency`` are the servers the process cannot work without (database,
broker, Redis): the watchdog exits the process when one of them stays down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson

Check = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    dependency: bool = False


@dataclass(frozen=True)
class Readiness:
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def status_code(self) -> int:
        return 200 if self.ok else 503

    def to_dict(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ok else "not ready",
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
        }

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict())


class HealthChecks:
    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._checks: dict[str, tuple[Check, bool]] = {}

    def add(self, name: str, check: Check, *, dependency: bool = False) -> None:
        self._checks[name] = (check, dependency)

    async def run(self, *, dependencies_only: bool = False) -> Readiness:
        chosen = [
            (name, check, dependency)
            for name, (check, dependency) in self._checks.items()
            if dependency or not dependencies_only
        ]
        results = await asyncio.gather(*(self._run_one(*item) for item in chosen))
        return Readiness(list(results))

    async def _run_one(self, name: str, check: Check, dependency: bool) -> CheckResult:
        # Not ``wait_for``: it waits for the cancelled check to finish, and a broker call cut
        # off mid-reconnect can take far longer to unwind than the timeout (``/readyz`` then
        # answered nothing at all for over 10 s after a RabbitMQ restart). The late check is
        # cancelled and left to unwind on its own.
        task = asyncio.ensure_future(check())
        done, _ = await asyncio.wait({task}, timeout=self._timeout)
        if not done:
            task.cancel()
            task.add_done_callback(_retrieve_outcome)
            return CheckResult(name, False, f"no answer within {self._timeout} s", dependency)
        try:
            result = task.result()
        except Exception as error:  # noqa: BLE001 - a failing check is a report, not a crash
            return CheckResult(name, False, repr(error)[:300], dependency)
        if result is False:
            return CheckResult(name, False, "check failed", dependency)
        return CheckResult(name, True, result if isinstance(result, str) else "", dependency)


def _retrieve_outcome(task: asyncio.Future[object]) -> None:
    """A check abandoned at its timeout: its late error is already reported as the timeout
    (retrieved here so asyncio does not log it as never retrieved)."""
    if not task.cancelled():
        task.exception()
