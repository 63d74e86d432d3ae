"""The simulator's own API under ``/_admin/``: faults, call counters, dataset facts.

GET    /_admin/health            {"ok": true}
GET    /_admin/dataset           seed, size, end date, canonical account ids per platform
POST   /_admin/faults            one fault spec or a list -> {"faults": [...with ids]}
GET    /_admin/faults            active faults with how often each fired
DELETE /_admin/faults[/{id}]     clear all faults, or one
POST   /_admin/anomalies         one anomaly spec or a list -> {"anomalies": [...with ids]}
                                 (spec: kind spike|drop|stop, platform, account, campaign
                                 external id, day YYYY-MM-DD, factor?, metrics?; anomalies.py)
GET    /_admin/anomalies         the injected anomalies
DELETE /_admin/anomalies[/{id}]  remove all, or one: the day's generated figures come back
GET    /_admin/calls             {"total", "by_route": {"meta.insights": n}, "by_account": {...}}
DELETE /_admin/calls             reset the counters (and the access log)
GET    /_admin/oauth             {"consent": "approve"|"deny"|"page", "code_ttl_seconds": n}
POST   /_admin/oauth             change either (what the simulated user answers on consent
                                 screens; how long an authorization code lives)
GET    /_admin/access-log        {"requests": ["GET /meta/v23.0/act_1/campaigns?limit=5", ...]}:
                                 the last platform requests as they arrived on the wire (raw,
                                 still percent-encoded path and query), oldest first
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import orjson

from .anomalies import parse_anomaly
from .dataset import PLATFORMS, Dataset
from .faults import FaultBook
from .http import SimRequest, SimResponse, json_response
from .oauth import OAuthBook
from .tokens import TokenBook

ACCESS_LOG_SIZE = 10_000


class Admin:
    def __init__(
        self,
        dataset: Dataset,
        faults: FaultBook,
        tokens: TokenBook,
        oauth: OAuthBook,
        on_data_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.dataset = dataset
        self.oauth = oauth
        self.faults = faults
        self.tokens = tokens
        # Answers are cached: a change to the served figures (anomalies) must drop them.
        self.on_data_changed = on_data_changed
        self.calls: Counter[str] = Counter()
        self.account_calls: Counter[str] = Counter()
        self.access_log: deque[str] = deque(maxlen=ACCESS_LOG_SIZE)

    def log_access(self, method: str, raw_path: bytes, raw_query: bytes) -> None:
        line = f"{method} {raw_path.decode('latin-1')}"
        self.access_log.append(f"{line}?{raw_query.decode('latin-1')}" if raw_query else line)

    def count(self, platform: str, route: str, account: str | None) -> None:
        self.calls[f"{platform}.{route}"] += 1
        if account:
            self.account_calls[f"{platform}:{account}"] += 1

    def handle(self, req: SimRequest) -> SimResponse:
        path, method = req.path.rstrip("/"), req.method
        if path == "/_admin/health":
            return json_response({"ok": True})
        if path == "/_admin/dataset":
            return json_response(self._dataset())
        if path == "/_admin/calls":
            if method == "DELETE":
                self.calls.clear()
                self.account_calls.clear()
                self.access_log.clear()
            return json_response(
                {
                    "total": sum(self.calls.values()),
                    "by_route": self.calls,
                    "by_account": self.account_calls,
                }
            )
        if path == "/_admin/oauth":
            if method == "POST":
                try:
                    body = orjson.loads(req.body or b"{}")
                    self.oauth.configure(body.get("consent"), body.get("code_ttl_seconds"))
                except (ValueError, TypeError, AttributeError) as exc:
                    return json_response({"error": str(exc)}, 400)
            return json_response(self.oauth.describe())
        if path == "/_admin/access-log":
            return json_response({"requests": list(self.access_log)})
        if path == "/_admin/faults":
            if method == "POST":
                return self._add_faults(req)
            if method == "DELETE":
                self.faults.clear()
            return json_response({"faults": [f.describe() for f in self.faults.all()]})
        if path.startswith("/_admin/faults/") and method == "DELETE":
            self.faults.clear(path.rsplit("/", 1)[-1])
            return json_response({"faults": [f.describe() for f in self.faults.all()]})
        if path == "/_admin/anomalies" or path.startswith("/_admin/anomalies/"):
            return self._anomalies(req, path, method)
        return json_response({"error": "unknown admin path"}, 404)

    def _add_faults(self, req: SimRequest) -> SimResponse:
        try:
            specs = orjson.loads(req.body or b"{}")
            specs = specs if isinstance(specs, list) else [specs]
            added = [self.faults.add(spec, self.tokens.serial()) for spec in specs]
        except (ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"faults": [f.describe() for f in added]}, 201)

    def _anomalies(self, req: SimRequest, path: str, method: str) -> SimResponse:
        book = self.dataset.anomalies
        if method == "POST" and path == "/_admin/anomalies":
            try:
                specs = orjson.loads(req.body or b"{}")
                specs = specs if isinstance(specs, list) else [specs]
                added = [book.add(parse_anomaly(spec)) for spec in specs]
            except (ValueError, TypeError) as exc:
                return json_response({"error": str(exc)}, 400)
            self.on_data_changed()
            return json_response({"anomalies": [a.describe() for a in added]}, 201)
        if method == "DELETE":
            book.clear(None if path == "/_admin/anomalies" else path.rsplit("/", 1)[-1])
            self.on_data_changed()
        elif method != "GET" or path != "/_admin/anomalies":
            return json_response({"error": "unknown admin path"}, 404)
        return json_response({"anomalies": [a.describe() for a in book.all()]})

    def _dataset(self) -> dict[str, Any]:
        ds = self.dataset
        return {
            "seed": ds.seed,
            "size": vars(ds.size),
            "start_date": ds.start_date.isoformat(),
            "end_date": ds.end_date.isoformat(),
            "accounts": {p: ds.account_ids(p) for p in PLATFORMS},
        }
