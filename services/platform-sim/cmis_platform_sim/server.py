"""The simulator's ASGI app: route to a platform, apply latency and faults, check the
token, serve the answer (cached: the data is deterministic, so each distinct request is
rendered once). DEVELOPMENT AND TEST TOOL ONLY.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from .admin import Admin
from .dataset import Dataset
from .faults import REPORT_KINDS, Call, Fault, FaultBook
from .fx import ADMIN_PATH as FX_ADMIN_PATH
from .fx import PREFIX as FX_PREFIX
from .fx import FxFeed
from .http import SimRequest, SimResponse, json_response
from .oauth import OAuthBook
from .platforms.base import Route, SimContext, SimulatedPlatform
from .platforms.google import GoogleSim
from .platforms.linkedin import LinkedInSim
from .platforms.meta import MetaSim
from .platforms.tiktok import TikTokSim
from .platforms.twitter import TwitterSim
from .settings import SimSettings
from .tokens import TokenBook, TokenState

_CACHE_LIMIT = 100_000
_TIMEOUT_FAULT_S = 30.0
_HIGH_USAGE_PCT = 95
_MALFORMED = b'{"data": [{"id": "1", "name": '
_IMMEDIATE = {"rate_limit", "quota_exhausted", "server_error", "malformed_json", "auth_revoked"}


class LatencyModel:
    def __init__(self, settings: SimSettings) -> None:
        self.mean = settings.latency_ms / 1000
        self.jitter = settings.latency_jitter_ms / 1000
        self.dist = settings.latency_dist
        self.random = random.Random(settings.seed)

    def sample(self) -> float:
        if self.mean <= 0 and self.jitter <= 0:
            return 0.0
        if self.dist == "exponential" and self.mean > 0:
            return self.random.expovariate(1 / self.mean)
        if self.dist == "uniform":
            return max(0.0, self.random.uniform(self.mean - self.jitter, self.mean + self.jitter))
        return self.mean


class SimServer:
    def __init__(self, settings: SimSettings) -> None:
        self.settings = settings
        self.dataset = Dataset(
            settings.seed, settings.size, settings.end_date, currencies=settings.currencies or None
        )
        self.tokens = TokenBook()
        self.faults = FaultBook()
        for spec in settings.faults:
            self.faults.add(dict(spec), self.tokens.serial())
        self.cache: dict[tuple[str, bytes, bytes, str | None], SimResponse] = {}
        self.oauth = OAuthBook()
        self.admin = Admin(self.dataset, self.faults, self.tokens, self.oauth, self.cache.clear)
        ctx = SimContext(
            self.dataset,
            self.tokens,
            settings.max_page_size,
            settings.usage_pct,
            self.oauth,
            settings.linkedin_max_elements,
        )
        sims: list[SimulatedPlatform] = [
            GoogleSim(ctx),
            MetaSim(ctx),
            TikTokSim(ctx),
            LinkedInSim(ctx),
            TwitterSim(ctx),
        ]
        self.platforms = {sim.prefix.strip("/"): sim for sim in sims}
        self.fx = FxFeed(settings.seed, self.dataset.end_date)
        self.latency = LatencyModel(settings)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        req = SimRequest(scope["method"], scope["path"], scope["query_string"], headers, body)
        if not req.path.startswith("/_admin/"):
            # The raw path: what a client really sent, before the server decoded it.
            raw_path = scope.get("raw_path") or scope["path"].encode()
            self.admin.log_access(req.method, raw_path, req.raw_query)
        resp = await self.dispatch(req)
        await send({"type": "http.response.start", "status": resp.status, "headers": resp.headers})
        await send({"type": "http.response.body", "body": resp.body})

    async def dispatch(self, req: SimRequest) -> SimResponse:
        if req.path.startswith(FX_PREFIX):
            return self.fx.handle(req)
        if req.path.rstrip("/") == FX_ADMIN_PATH:
            return self.fx.admin(req)
        if req.path.startswith("/_admin/"):
            return self.admin.handle(req)
        sim = self.platforms.get(req.path.split("/", 2)[1])
        route = sim.route(req) if sim else None
        if sim is None or route is None:
            return json_response({"error": "no such simulated endpoint", "path": req.path}, 404)
        self.admin.count(sim.name, route.name, route.account)
        if delay := self.latency.sample():
            await asyncio.sleep(delay)
        fault = (
            self.faults.take(
                Call(sim.name, route.account, req.path, route.token_endpoint, route.report_job)
            )
            if self.faults
            else None
        )
        if fault is not None and fault.kind in REPORT_KINDS:
            req.report_fault, fault = fault.kind, None
        if fault is not None:
            if fault.kind in ("slow", "timeout"):
                await asyncio.sleep(
                    _TIMEOUT_FAULT_S if fault.kind == "timeout" else fault.delay_ms / 1000
                )
            elif route.token_endpoint:
                if fault.kind == "auth_revoked":
                    return sim.refresh(req, revoked=True)
                if fault.kind in ("server_error", "rate_limit"):
                    return self._immediate(sim, fault, req)
            elif fault.kind in _IMMEDIATE:
                return self._immediate(sim, fault, req)
            elif fault.kind == "token_expired" and not self.tokens.minted_after(
                sim.access_token(req) or "", fault.token_serial
            ):
                return sim.expired(req)
        if route.token_endpoint:
            return route.handler(req)
        state = self.tokens.check_access(sim.access_token(req))
        if state is not TokenState.VALID:
            return sim.expired(req) if state is TokenState.EXPIRED else sim.revoked(req)
        resp = self._answer(sim, route, req)
        if fault is not None and resp.status == 200:
            if fault.kind == "schema_drift":
                old = f'"{fault.field or sim.drift_field}"'.encode()
                new = f'"{fault.renamed_to or (fault.field or sim.drift_field) + "_v2"}"'.encode()
                return SimResponse(200, resp.body.replace(old, new), resp.headers)
            if fault.kind == "high_usage":
                return SimResponse(
                    200, resp.body, resp.headers[:1] + sim.usage_headers(_HIGH_USAGE_PCT)
                )
        return resp

    def _answer(self, sim: SimulatedPlatform, route: Route, req: SimRequest) -> SimResponse:
        key = (
            req.path,
            req.raw_query,
            req.body,
            sim.access_token(req) if route.name == "video_list" else None,
        )
        cached = self.cache.get(key) if route.cached else None
        if cached is None:
            cached = route.handler(req)
            if cached.status == 200 and route.cached:
                if len(self.cache) >= _CACHE_LIMIT:
                    self.cache.clear()
                self.cache[key] = cached
        extra = sim.usage_headers(self.settings.usage_pct)
        return (
            SimResponse(cached.status, cached.body, cached.headers[:1] + extra) if extra else cached
        )

    def _immediate(self, sim: SimulatedPlatform, fault: Fault, req: SimRequest) -> SimResponse:
        if fault.kind == "rate_limit":
            return sim.rate_limited(fault, req)
        if fault.kind == "quota_exhausted":
            return sim.quota_exhausted(fault, req)
        if fault.kind == "server_error":
            return sim.server_error(fault, req)
        if fault.kind == "auth_revoked":
            return sim.revoked(req)
        return SimResponse(200, _MALFORMED)
