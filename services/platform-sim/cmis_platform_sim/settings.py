"""Simulator settings from the command line, falling back to ``CMIS_SIM_*`` variables.

``CMIS_SIM_FAULTS`` (or ``--faults``) holds a JSON list of fault specs active from start-up,
e.g. ``[{"kind": "rate_limit", "platform": "meta", "times": 3}]``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .dataset import Size


@dataclass(frozen=True)
class SimSettings:
    host: str = "127.0.0.1"
    port: int = 8900
    seed: int = 42
    size: Size = field(default_factory=Size)
    end_date: date | None = None  # None: today (UTC)
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    latency_dist: str = "fixed"  # fixed | uniform | exponential
    max_page_size: int = 10_000
    usage_pct: int = 5
    # LinkedIn adAnalytics answers at most this many elements (no pagination).
    linkedin_max_elements: int = 15_000
    faults: tuple[dict[str, Any], ...] = ()
    currencies: tuple[str, ...] = ()  # () : the default mix (profiles.DEFAULT_CURRENCIES)
    log_level: str = "warning"


def _env(name: str, default: object) -> Any:
    return os.environ.get(f"CMIS_SIM_{name.upper()}", default)


def parse_settings(argv: Sequence[str] | None = None) -> SimSettings:
    d = SimSettings()
    p = argparse.ArgumentParser(
        prog="cmis-platform-sim",
        description="DEVELOPMENT AND TEST TOOL ONLY: simulated Google Ads, Meta, TikTok, "
        "LinkedIn and X APIs on one port. Never deploy.",
    )
    p.add_argument("--host", default=_env("host", d.host))
    p.add_argument("--port", type=int, default=int(_env("port", d.port)))
    p.add_argument("--seed", type=int, default=int(_env("seed", d.seed)))
    p.add_argument("--accounts", type=int, default=int(_env("accounts", d.size.accounts)))
    p.add_argument("--campaigns", type=int, default=int(_env("campaigns", d.size.campaigns)))
    p.add_argument("--days", type=int, default=int(_env("days", d.size.days)))
    p.add_argument("--posts", type=int, default=int(_env("posts", d.size.posts)))
    p.add_argument(
        "--series",
        choices=("noisy", "steady"),
        default=_env("series", d.size.series),
        help="daily figures: independent draws (noisy) or level + weekly rhythm (steady)",
    )
    p.add_argument(
        "--end-date", default=_env("end_date", None), help="YYYY-MM-DD; default today (UTC)"
    )
    p.add_argument("--latency-ms", type=float, default=float(_env("latency_ms", d.latency_ms)))
    p.add_argument("--latency-jitter-ms", type=float, default=float(_env("latency_jitter_ms", 0)))
    p.add_argument(
        "--latency-dist",
        choices=("fixed", "uniform", "exponential"),
        default=_env("latency_dist", d.latency_dist),
    )
    p.add_argument("--max-page-size", type=int, default=int(_env("max_page_size", d.max_page_size)))
    p.add_argument(
        "--linkedin-max-elements",
        type=int,
        default=int(_env("linkedin_max_elements", d.linkedin_max_elements)),
    )
    p.add_argument("--usage-pct", type=int, default=int(_env("usage_pct", d.usage_pct)))
    p.add_argument("--faults", default=_env("faults", "[]"), help="JSON list of fault specs")
    p.add_argument(
        "--currencies",
        default=_env("currencies", ""),
        help="comma-separated account currencies to draw from, e.g. EUR,USD (default: a mix)",
    )
    p.add_argument("--log-level", default=_env("log_level", d.log_level))
    a = p.parse_args(argv)
    faults = json.loads(a.faults)
    return SimSettings(
        host=a.host,
        port=a.port,
        seed=a.seed,
        size=Size(a.accounts, a.campaigns, a.days, a.posts, a.series),
        end_date=date.fromisoformat(a.end_date) if a.end_date else None,
        latency_ms=a.latency_ms,
        latency_jitter_ms=a.latency_jitter_ms,
        latency_dist=a.latency_dist,
        max_page_size=a.max_page_size,
        usage_pct=a.usage_pct,
        linkedin_max_elements=a.linkedin_max_elements,
        faults=tuple(faults if isinstance(faults, list) else [faults]),
        currencies=tuple(c.strip().upper() for c in a.currencies.split(",") if c.strip()),
        log_level=a.log_level,
    )
