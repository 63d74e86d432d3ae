"""Faults on demand: per platform, per account, per call pattern, optionally N times.

Kinds: ``rate_limit`` (each platform's own throttle signal), ``quota_exhausted`` (a daily
limit; LinkedIn's ``DAY`` throttle), ``server_error`` (5xx or the platform's equivalent),
``slow`` (delay then answer), ``timeout`` (delay far past any client timeout),
``malformed_json``, ``token_expired`` (refreshable), ``auth_revoked`` (refresh refused too),
``schema_drift`` (a field renamed), ``high_usage`` (usage headers near the limit);
``report_failed`` and ``report_stuck``: an asynchronous report job (Meta's insights report
runs) started while the fault is active ends in "Job Failed", or never finishes.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from typing import Any

KINDS = frozenset(
    {
        "rate_limit",
        "quota_exhausted",
        "server_error",
        "slow",
        "timeout",
        "malformed_json",
        "token_expired",
        "auth_revoked",
        "schema_drift",
        "high_usage",
        "report_failed",
        "report_stuck",
    }
)
# Faults that shape an asynchronous report job; only a job's creation takes them.
REPORT_KINDS = frozenset({"report_failed", "report_stuck"})


@dataclass(frozen=True)
class Call:
    """A simulated API call, as faults see it. ``any_account``: a token endpoint (it carries
    no account, so account faults apply there); ``report_job``: the creation of a report
    job, the one call report faults match."""

    platform: str
    account: str | None
    path: str
    any_account: bool = False
    report_job: bool = False


@dataclass
class Fault:
    kind: str
    platform: str | None = None  # None: every platform
    account: str | None = None  # None: every account
    path_contains: str | None = None  # a call pattern, e.g. "insights"
    times: int | None = None  # fire this many times, then stop (None: until cleared)
    retry_after: float = 2.0
    status: int = 503
    delay_ms: int = 200
    field: str | None = None  # schema_drift: which field (default per platform)
    renamed_to: str | None = None
    id: str = ""
    fired: int = 0
    token_serial: int = dataclass_field(default=0, repr=False)

    def matches(self, call: Call) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.kind in REPORT_KINDS and not call.report_job:
            return False
        if self.platform and self.platform != call.platform:
            return False
        if self.account and call.account != self.account and not call.any_account:
            return False
        return not self.path_contains or self.path_contains in call.path

    def describe(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("token_serial")
        return data


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: dict[str, Any], token_serial: int = 0) -> Fault:
        unknown = set(spec) - set(Fault.__dataclass_fields__) | ({"id", "fired"} & set(spec))
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        fault = Fault(**spec)
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; one of {sorted(KINDS)}")
        fault.id = f"f{next(self._ids)}"
        fault.token_serial = token_serial
        self._faults.append(fault)
        return fault

    def clear(self, fault_id: str | None = None) -> None:
        self._faults = [f for f in self._faults if fault_id is not None and f.id != fault_id]

    def all(self) -> list[Fault]:
        return list(self._faults)

    def __bool__(self) -> bool:
        return bool(self._faults)

    def take(self, call: Call) -> Fault | None:
        """The first fault matching ``call``, counted as fired (faults are checked in order)."""
        for fault in self._faults:
            if fault.matches(call):
                fault.fired += 1
                return fault
        return None
