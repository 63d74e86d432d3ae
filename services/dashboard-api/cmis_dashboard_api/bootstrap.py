"""The one composition root: wires the adapters (PostgreSQL, Redis, the broker's runtime)
into the handlers, once per process, in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import redis.asyncio as redis

from cmis_dashboard_api.adapters.accounts import SqlSignInStore
from cmis_dashboard_api.adapters.auth_queries import principal_lookup
from cmis_dashboard_api.adapters.exchange_rates import SqlExchangeRates
from cmis_dashboard_api.adapters.live import LiveHub
from cmis_dashboard_api.adapters.live_tickets import LiveTickets
from cmis_dashboard_api.adapters.oauth.http import make_oauth_client
from cmis_dashboard_api.adapters.oauth.registry import oauth_platforms, oauth_policy
from cmis_dashboard_api.adapters.oauth_flows import OAuthFlows
from cmis_dashboard_api.adapters.rate_limit import RateLimiter
from cmis_dashboard_api.adapters.sign_in_throttle import RedisSignInThrottle
from cmis_dashboard_api.adapters.unit_of_work import SqlUnitOfWork
from cmis_dashboard_api.adapters.view_queries import SqlViewSource
from cmis_dashboard_api.adapters.view_store import ViewStore
from cmis_dashboard_api.domain.attempts import FailedAttempts
from cmis_dashboard_api.domain.passwords import Passwords
from cmis_dashboard_api.domain.stream_slots import StreamSlots
from cmis_dashboard_api.handlers.auth import Authenticator
from cmis_dashboard_api.handlers.oauth import OAuthConnect
from cmis_dashboard_api.handlers.sign_in import SignIn
from cmis_dashboard_api.handlers.views import DashboardViews
from cmis_dashboard_api.ports import UnitOfWork
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.clock import system_clock
from cmis_shared.crypto import TokenCipher
from cmis_shared.redis_client import create_redis
from cmis_shared.runtime import ServiceRuntime

REDIS_CONNECTIONS = 256


@dataclass
class Services:
    settings: DashboardSettings
    runtime: ServiceRuntime
    redis: redis.Redis
    views: DashboardViews
    rates: SqlExchangeRates  # the euro reference rates the view and the chart routes use
    store: ViewStore
    auth: Authenticator
    live: LiveHub
    trigger_limiter: RateLimiter
    refresh_limiter: RateLimiter
    statistics_limiter: RateLimiter
    failed_auth: FailedAttempts
    streams: StreamSlots
    cipher: TokenCipher
    sign_in: SignIn
    tickets: LiveTickets
    oauth: OAuthConnect
    platform_http: httpx.AsyncClient

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self.runtime.sessions, self.cipher)

    async def aclose(self) -> None:
        await self.live.aclose()
        await self.redis.aclose()
        await self.platform_http.aclose()


def bootstrap(settings: DashboardSettings, runtime: ServiceRuntime) -> Services:
    client = create_redis(settings, max_connections=REDIS_CONNECTIONS)
    runtime.add_check("redis", client.ping)
    store = ViewStore(
        client,
        settings,
        state_ttl_seconds=settings.view_ttl_seconds,
        trace_reads=settings.trace_dashboard_reads,
    )
    live = LiveHub(
        client,
        settings,
        buffer_length=settings.live_buffer_length,
        buffer_seconds=settings.live_buffer_seconds,
    )
    rates = SqlExchangeRates(
        runtime.sessions,
        history_days=settings.exchange_rate_history_days,
        cache_seconds=settings.exchange_rate_cache_seconds,
    )
    views = DashboardViews(
        store,
        SqlViewSource(runtime.sessions),
        live,
        view_ttl_seconds=settings.view_ttl_seconds,
        period_view_ttl_seconds=settings.period_view_ttl_seconds,
        rates=rates,
        rates_ttl_seconds=int(settings.exchange_rate_cache_seconds),
    )
    cipher = TokenCipher(settings.encryption_keys)
    platform_http = make_oauth_client(settings.oauth_clients().timeout_seconds)
    oauth = OAuthConnect(
        lambda: SqlUnitOfWork(runtime.sessions, cipher),
        OAuthFlows(client, settings, cipher),
        oauth_platforms(platform_http, settings),
        oauth_policy(settings),
        system_clock,
    )
    return Services(
        settings=settings,
        runtime=runtime,
        redis=client,
        views=views,
        rates=rates,
        store=store,
        auth=Authenticator(
            principal_lookup(runtime.sessions),
            settings.auth_cache_seconds,
            max_entries=settings.auth_cache_size,
        ),
        live=live,
        trigger_limiter=RateLimiter(
            client, settings.trigger_rate_limit, settings.trigger_rate_window_seconds
        ),
        refresh_limiter=RateLimiter(
            client, settings.refresh_rate_limit, settings.expensive_rate_window_seconds
        ),
        statistics_limiter=RateLimiter(
            client, settings.statistics_rate_limit, settings.expensive_rate_window_seconds
        ),
        failed_auth=FailedAttempts(settings.failed_auth_limit, settings.failed_auth_window_seconds),
        streams=StreamSlots(settings.sse_max_per_user, settings.sse_max_per_process),
        cipher=cipher,
        oauth=oauth,
        platform_http=platform_http,
        sign_in=_sign_in(settings, runtime, client),
        tickets=LiveTickets(client, settings, settings.live_ticket_seconds),
    )


def _sign_in(settings: DashboardSettings, runtime: ServiceRuntime, client: redis.Redis) -> SignIn:
    return SignIn(
        SqlSignInStore(runtime.sessions, timedelta(hours=settings.sign_in_lifetime_hours)),
        RedisSignInThrottle(
            client,
            settings,
            account_limit=settings.sign_in_account_failures,
            address_limit=settings.sign_in_address_failures,
            window_seconds=settings.sign_in_window_seconds,
        ),
        Passwords(),
        settings.password_hash_concurrency,
    )
