"""Per-organization request limits of the expensive or state-changing routes (shared by
every API process through Redis): past the limit, 429 with ``Retry-After``."""

from __future__ import annotations

from uuid import UUID

from cmis_dashboard_api.adapters.rate_limit import RateLimiter
from cmis_dashboard_api.api.errors import rate_limited
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.org_settings import TriggerLimit


async def enforce(
    services: Services,
    limiter: RateLimiter,
    name: str,
    org_id: UUID,
    override: TriggerLimit | None = None,
) -> None:
    key = services.settings.redis_key("ratelimit", name, org_id.hex)
    retry_after = await limiter.hit(key, override)
    if retry_after is not None:
        raise rate_limited(f"too many {name} requests; retry later", retry_after)
