"""Anomalies on demand: a spike, a drop or a stop in one campaign's daily series on one day.

DEVELOPMENT AND TEST TOOL ONLY. An anomaly rewrites the dataset's row for (platform, account,
campaign, day) as it is served, so a sync reads it like any other figure; removing it
restores the generated row. Deterministic: the same spec gives the same row every time.

Kinds:

- ``spike``: the chosen metrics multiplied by ``factor`` (default 4);
- ``drop``: the chosen metrics multiplied by ``factor`` (default 0.2);
- ``stop``: no delivery that day (every figure zero).

``metrics`` names what changes: ``spend``, ``impressions``, ``clicks``, ``conversions``
(conversion value follows conversions); default ``["spend", "impressions", "clicks",
"conversions"]`` for a spike (more delivery), ``["clicks", "conversions"]`` for a drop.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

KINDS = ("spike", "drop", "stop")
METRICS = ("spend", "impressions", "clicks", "conversions")
_DEFAULT_FACTOR = {"spike": 4.0, "drop": 0.2, "stop": 0.0}
_DEFAULT_METRICS = {
    "spike": ("spend", "impressions", "clicks", "conversions"),
    "drop": ("clicks", "conversions"),
    "stop": METRICS,
}


@dataclass(frozen=True)
class Anomaly:
    kind: str
    platform: str
    account: str
    campaign: str  # the campaign's external id
    day: date
    factor: float
    metrics: tuple[str, ...]
    id: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "platform": self.platform,
            "account": self.account,
            "campaign": self.campaign,
            "day": self.day.isoformat(),
            "factor": self.factor,
            "metrics": list(self.metrics),
        }


def parse_anomaly(spec: dict[str, Any]) -> Anomaly:
    """An anomaly from its JSON spec; ``ValueError`` names what is wrong."""
    if not isinstance(spec, dict):
        raise ValueError("an anomaly spec is a JSON object")
    allowed = {"kind", "platform", "account", "campaign", "day", "factor", "metrics"}
    if unknown := set(spec) - allowed:
        raise ValueError(f"unknown anomaly fields: {sorted(unknown)}")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown anomaly kind {kind!r}; one of {list(KINDS)}")
    missing = [name for name in ("platform", "account", "campaign", "day") if not spec.get(name)]
    if missing:
        raise ValueError(f"missing anomaly fields: {missing}")
    metrics = tuple(spec.get("metrics") or _DEFAULT_METRICS[kind])
    if bad := [m for m in metrics if m not in METRICS]:
        raise ValueError(f"unknown metrics {bad}; among {list(METRICS)}")
    factor = float(spec.get("factor", _DEFAULT_FACTOR[kind]))
    if factor < 0:
        raise ValueError("factor must not be negative")
    return Anomaly(
        kind=kind,
        platform=str(spec["platform"]),
        account=str(spec["account"]),
        campaign=str(spec["campaign"]),
        day=date.fromisoformat(str(spec["day"])),
        factor=0.0 if kind == "stop" else factor,
        metrics=METRICS if kind == "stop" else metrics,
    )


@dataclass
class AnomalyBook:
    """The injected anomalies, keyed for the row lookup the renderers do on every row."""

    _by_row: dict[tuple[str, str, str, date], list[Anomaly]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, anomaly: Anomaly) -> Anomaly:
        anomaly = replace(anomaly, id=f"a{next(self._ids)}")
        key = (anomaly.platform, anomaly.account, anomaly.campaign, anomaly.day)
        self._by_row.setdefault(key, []).append(anomaly)
        return anomaly

    def clear(self, anomaly_id: str | None = None) -> None:
        if anomaly_id is None:
            self._by_row.clear()
            return
        for key, anomalies in list(self._by_row.items()):
            kept = [a for a in anomalies if a.id != anomaly_id]
            if kept:
                self._by_row[key] = kept
            else:
                del self._by_row[key]

    def all(self) -> list[Anomaly]:
        return sorted(
            (a for anomalies in self._by_row.values() for a in anomalies),
            key=lambda a: int(a.id[1:]),
        )

    def __bool__(self) -> bool:
        return bool(self._by_row)

    def on(self, platform: str, account: str, campaign: str, day: date) -> list[Anomaly]:
        return self._by_row.get((platform, account, campaign, day), [])


def scaled_int(value: int, factor: float) -> int:
    return int((Decimal(value) * Decimal(str(factor))).to_integral_value(ROUND_HALF_EVEN))


def scaled_conversions(value: Decimal, factor: float, whole: bool) -> Decimal:
    scaled = value * Decimal(str(factor))
    # Platforms other than Google report whole conversions; Google halves (attributed ones).
    step = Decimal(1) if whole else Decimal("0.5")
    return (scaled / step).to_integral_value(ROUND_HALF_EVEN) * step
