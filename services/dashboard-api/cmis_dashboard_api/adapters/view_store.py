"""The materialized view in Redis: per org, the state (JSON) and the ready-to-serve dashboard
bytes, written together in one optimistic transaction so concurrent consumers (several API
processes share the queue) never lose each other's updates."""

from __future__ import annotations

from uuid import UUID

import redis.asyncio as redis
from opentelemetry.instrumentation.utils import suppress_instrumentation
from redis.exceptions import WatchError

from cmis_dashboard_api.domain.state import DashboardState
from cmis_dashboard_api.ports import Change, Materialized
from cmis_shared.settings import CmisSettings

OTHER_PERIODS = (7, 90)
MAX_CONFLICT_RETRIES = 20


class ViewStore:
    def __init__(
        self,
        client: redis.Redis,
        settings: CmisSettings,
        state_ttl_seconds: int,
        trace_reads: bool = True,
    ) -> None:
        self._redis = client
        self._settings = settings
        self._state_ttl = state_ttl_seconds
        self._trace_reads = trace_reads

    def view_key(self, org_id: UUID, period_days: int | None = None) -> str:
        suffix = "view" if period_days is None else f"view:{period_days}"
        return self._settings.redis_key("dashboard", org_id.hex, suffix)

    def state_key(self, org_id: UUID) -> str:
        return self._settings.redis_key("dashboard", org_id.hex, "state")

    async def get_view(self, org_id: UUID, period_days: int | None = None) -> bytes | None:
        key = self.view_key(org_id, period_days)
        if self._trace_reads:
            return await self._redis.get(key)  # type: ignore[return-value]
        with (
            suppress_instrumentation()
        ):  # the hot read: see DashboardSettings.trace_dashboard_reads
            return await self._redis.get(key)  # type: ignore[return-value]

    async def get_state(self, org_id: UUID) -> DashboardState | None:
        raw = await self._redis.get(self.state_key(org_id))
        return None if raw is None else DashboardState.model_validate_json(raw)

    async def put_period_view(self, org_id: UUID, period_days: int, view: bytes, ttl: int) -> None:
        await self._redis.set(self.view_key(org_id, period_days), view, ex=ttl)

    async def put_view(self, org_id: UUID, view: bytes, ttl: int) -> None:
        await self._redis.set(self.view_key(org_id), view, ex=ttl)

    async def transact(self, org_id: UUID, change: Change) -> Materialized | None:
        """Read the state, apply ``change``, write state and view unless someone else wrote
        the state meanwhile (then start over)."""
        state_key = self.state_key(org_id)
        conflict: WatchError | None = None
        async with self._redis.pipeline(transaction=True) as pipe:
            for _ in range(MAX_CONFLICT_RETRIES):
                try:
                    await pipe.watch(state_key)
                    raw = await pipe.get(state_key)
                    current = None if raw is None else DashboardState.model_validate_json(raw)
                    result = change(current)
                    if result is None:
                        await pipe.unwatch()
                        return None
                    pipe.multi()
                    pipe.set(state_key, result.state.model_dump_json(), ex=self._state_ttl)
                    pipe.set(self.view_key(org_id), result.view, ex=result.view_ttl_seconds)
                    pipe.delete(*(self.view_key(org_id, days) for days in OTHER_PERIODS))
                    await pipe.execute()
                    return result
                except WatchError as error:
                    conflict = error
                    continue
        raise ViewConflictError(
            f"view of org {org_id} kept changing under {MAX_CONFLICT_RETRIES} tries"
        ) from conflict


class ViewConflictError(RuntimeError):
    """Too many concurrent writers. Caused by a ``WatchError`` (contention, which clears by
    itself): the consumer retries the event and never dead-letters it for that."""
