"""The sync use case over fakes: outcomes, retries, tokens, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from pydantic import SecretStr

from cmis_shared.crypto import TokenCipher
from cmis_shared.events import (
    DataType,
    ErrorClass,
    IntegrationStatus,
    IntegrationUpdated,
    Platform,
    SyncCompleted,
    SyncFailed,
    SyncRequested,
    SyncStarted,
    SyncTrigger,
)
from cmis_shared.settings import DEVELOPMENT_ENCRYPTION_KEY
from cmis_sync_worker.adapters.credentials import CredentialsCodec
from cmis_sync_worker.connectors.base import (
    ConfigError,
    Credentials,
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
    RateLimited,
    TokenExpired,
    TransientPlatformError,
)
from cmis_sync_worker.domain.failures import LimitWaitExceeded
from cmis_sync_worker.domain.retry import RetryPolicy
from cmis_sync_worker.handlers import SyncConfig, SyncRequestHandler
from cmis_sync_worker.ports import SyncMetrics
from tests.unit.sync_worker.fakes import (
    CountingLimiter,
    FakeConnector,
    FakeStore,
    integration_record,
)

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 15, 16, 0, tzinfo=UTC)  # 12:00 in New York: account day 15 June
G = Platform.GOOGLE
CODEC = CredentialsCodec(TokenCipher(SecretStr(DEVELOPMENT_ENCRYPTION_KEY)))


def _campaign(n: int) -> NormalizedCampaign:
    return NormalizedCampaign(f"c{n}", f"Campaign {n}", "active", "USD", Decimal("50.00"))


def _metric(n: int, day: date, spend: str = "10.50") -> NormalizedDailyMetric:
    return NormalizedDailyMetric(f"c{n}", day, "USD", 1000, 30, Decimal(spend), Decimal(2))


def _post(n: int, hours_ago: int) -> NormalizedPost:
    return NormalizedPost(
        external_id=f"p{n}", text=f"post {n}", published_at=NOW - timedelta(hours=hours_ago),
        likes=5, comments=2, shares=1, impressions=100,
    )  # fmt: skip


class World:
    def __init__(self, **connector: Any) -> None:
        self.store = FakeStore()
        self.connector = FakeConnector(**connector)
        self.limiter = CountingLimiter()
        self.org_id = uuid4()

    def integration(self, **changes: Any) -> Any:
        credentials = Credentials(access_token="sim-old", refresh_token="sim-refresh")
        record = integration_record(self.org_id, CODEC.encode(credentials), **changes)
        self.store.state.integrations[record.id] = record
        return record

    def request(self, integration: Any, **changes: Any) -> SyncRequested:
        fields: dict[str, Any] = {
            "org_id": self.org_id, "run_id": uuid4(), "integration_id": integration.id,
            "platform": integration.platform, "data_type": DataType.CAMPAIGNS,
            "trigger": SyncTrigger.SCHEDULED, "attempt": 1,
        }  # fmt: skip
        fields.update(changes)
        request = SyncRequested(**fields)
        self.store.state.runs.setdefault(request.run_id, {"status": "queued", "attempt": 1})
        return request

    def handler(self, metrics: SyncMetrics | None = None, **config: Any) -> SyncRequestHandler:
        config.setdefault("policy", RetryPolicy())
        return SyncRequestHandler(
            self.store.uow, {G: self.connector}, self.limiter, CODEC, SyncConfig(**config),
            clock=lambda: NOW, metrics=metrics,
        )  # fmt: skip

    def outcome(self) -> SyncCompleted | SyncFailed:
        outcomes = [e for e in self.store.events() if isinstance(e, SyncCompleted | SyncFailed)]
        assert len(outcomes) == 1, outcomes
        return outcomes[0]  # type: ignore[return-value]


async def test_campaign_sync_stores_campaigns_and_reports_facts() -> None:
    world = World(campaigns=[_campaign(1), _campaign(2)], metrics=[_metric(1, date(2025, 6, 15))])
    integration = world.integration()
    request = world.request(integration)
    await world.handler()(request)

    started, completed = world.store.events()
    assert isinstance(started, SyncStarted) and started.run_id == request.run_id
    assert isinstance(completed, SyncCompleted)
    assert completed.counts == {"campaigns": 2}
    assert completed.range_start is None and completed.currency == "USD"
    # The connector's declared API version and its end of life travel with the outcome.
    assert (completed.api_version, completed.api_sunset_on) == ("v24", date(2027, 5, 1))
    assert [f.external_id for f in completed.campaigns] == ["c1", "c2"]
    assert completed.correlation_id == request.correlation_id
    assert set(world.store.state.campaigns) == {(integration.id, "c1"), (integration.id, "c2")}
    assert world.store.state.runs[request.run_id]["status"] == "success"
    assert world.store.state.synced_at[integration.id] == NOW
    assert world.limiter.granted == 1 and world.limiter.held == 0


async def test_all_data_types_use_the_lookback_window_of_the_account_day() -> None:
    days = [date(2025, 6, 15) - timedelta(days=n) for n in range(10)]
    world = World(
        campaigns=[_campaign(1)],
        metrics=[_metric(1, day) for day in days],
        posts=[_post(n, hours_ago=n * 30) for n in range(12)],
    )
    integration = world.integration()
    await world.handler()(world.request(integration, data_type=DataType.ALL))

    completed = world.outcome()
    assert isinstance(completed, SyncCompleted)
    assert completed.counts == {"campaigns": 1, "metrics": 7, "posts": 12}
    assert (completed.range_start, completed.range_end) == (date(2025, 6, 9), date(2025, 6, 15))
    assert world.connector.windows == [(date(2025, 6, 9), date(2025, 6, 15))]
    fact = completed.campaigns[0]
    assert fact.spend_today == Decimal("10.50") and fact.spend_lifetime == Decimal("73.50")
    assert completed.content_last_30_days is not None
    assert completed.content_last_30_days.posts_published == 12
    assert [p.external_id for p in completed.recent_posts] == [f"p{n}" for n in range(10)]


async def test_configured_lookback_overrides_the_platform_default() -> None:
    world = World(metrics=[])
    integration = world.integration()
    handler = world.handler(lookback_days={G: 3})
    await handler(world.request(integration, data_type=DataType.METRICS))
    assert world.connector.windows == [(date(2025, 6, 13), date(2025, 6, 15))]


async def test_same_request_twice_has_one_outcome_and_one_platform_read() -> None:
    world = World(campaigns=[_campaign(1)])
    request = world.request(world.integration())
    handler = world.handler()
    await handler(request)
    await handler(request)
    assert world.connector.calls == ["campaigns"]
    assert len(world.store.events(SyncStarted)) == 1
    assert isinstance(world.outcome(), SyncCompleted)


async def test_stale_attempt_has_no_effect() -> None:
    world = World()
    request = world.request(world.integration())
    world.store.state.runs[request.run_id] = {"status": "running", "attempt": 2}
    await world.handler()(request)
    assert world.store.events() == [] and world.connector.calls == []


async def test_resumed_attempt_completes_without_a_second_start() -> None:
    world = World(campaigns=[_campaign(1)])
    request = world.request(world.integration())
    world.store.state.runs[request.run_id] = {"status": "running", "attempt": 1}
    world.store.state.attempts[(request.run_id, 1)] = {"finished_at": None}
    await world.handler()(request)
    assert world.store.events(SyncStarted) == []
    assert isinstance(world.outcome(), SyncCompleted)


async def test_attempt_finished_by_another_delivery_meanwhile_emits_nothing_more() -> None:
    world = World(campaigns=[_campaign(1)])
    request = world.request(world.integration())

    async def racing_finish(*_: Any) -> list[NormalizedCampaign]:
        world.store.state.attempts[(request.run_id, 1)]["finished_at"] = NOW
        return [_campaign(1)]

    world.connector.fetch_campaigns = racing_finish  # type: ignore[method-assign, assignment]
    await world.handler()(request)
    assert [type(e) for e in world.store.events()] == [SyncStarted]
    assert world.store.state.campaigns == {}


@pytest.mark.parametrize(
    ("error", "error_class", "delay"),
    [
        (TransientPlatformError(G, "HTTP 503"), ErrorClass.PLATFORM_ERROR, 60),
        (RateLimited(G, "too many requests", retry_after=120), ErrorClass.RATE_LIMITED, 120),
    ],
)
async def test_retryable_failure_says_when(
    error: Exception, error_class: ErrorClass, delay: int
) -> None:
    world = World(errors=[error])
    request = world.request(world.integration())
    await world.handler()(request)
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is error_class and failed.retryable and failed.will_retry
    assert failed.next_attempt_at == NOW + timedelta(seconds=delay)
    assert failed.max_attempts == 3
    run = world.store.state.runs[request.run_id]
    assert run["status"] == "retrying" and run["next_attempt_at"] == failed.next_attempt_at
    assert world.store.state.campaigns == {}


async def test_last_attempt_fails_for_good() -> None:
    world = World(errors=[TransientPlatformError(G, "HTTP 502")])
    integration = world.integration()
    request = world.request(integration, attempt=3, trigger=SyncTrigger.RETRY)
    world.store.state.runs[request.run_id] = {"status": "queued", "attempt": 3}
    await world.handler()(request)
    failed = world.outcome()
    assert isinstance(failed, SyncFailed) and not failed.will_retry and failed.retryable
    assert world.store.state.runs[request.run_id]["status"] == "failed"


async def test_bad_request_does_not_retry() -> None:
    world = World(errors=[ConfigError(G, "customer not found")])
    await world.handler()(world.request(world.integration()))
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.CONFIG_ERROR and not failed.will_retry
    assert failed.message == "customer not found"


async def test_token_near_expiry_is_refreshed_stored_encrypted_and_announced() -> None:
    world = World(campaigns=[_campaign(1)])
    integration = world.integration(expires_at=NOW + timedelta(minutes=2))
    await world.handler()(world.request(integration))

    assert world.connector.calls == ["refresh", "campaigns"]
    assert world.connector.tokens_seen == ["fresh-1"]
    stored = world.store.state.integrations[integration.id]
    assert b"fresh-1" not in stored.credentials_encrypted
    assert CODEC.decode(stored.credentials_encrypted, None).access_token == "fresh-1"
    (updated,) = world.store.events(IntegrationUpdated)
    assert isinstance(updated, IntegrationUpdated)
    assert updated.token_expires_at == stored.token_expires_at
    completed = world.outcome()
    assert isinstance(completed, SyncCompleted)
    assert completed.token_expires_at == stored.token_expires_at
    assert "fresh-1" not in completed.to_json().decode() + updated.to_json().decode()


async def test_refused_refresh_ends_as_auth_revoked_without_retry() -> None:
    world = World(refuse_refresh=True)
    integration = world.integration(expires_at=NOW - timedelta(minutes=1))
    await world.handler()(world.request(integration))
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.AUTH_REVOKED and not failed.will_retry
    assert world.connector.calls == ["refresh"]


async def test_expired_token_without_refresh_ends_as_token_expired() -> None:
    world = World(supports_refresh=False)
    integration = world.integration(expires_at=NOW - timedelta(minutes=1))
    await world.handler()(world.request(integration))
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.TOKEN_EXPIRED and not failed.will_retry
    assert world.connector.calls == []


async def test_token_the_platform_calls_expired_is_refreshed_once_and_the_call_repeated() -> None:
    world = World(campaigns=[_campaign(1)], errors=[TokenExpired(G, "token expired")])
    await world.handler()(world.request(world.integration()))
    assert world.connector.calls == ["campaigns", "refresh", "campaigns"]
    assert isinstance(world.outcome(), SyncCompleted)


@pytest.mark.parametrize(
    ("status", "trigger"),
    [
        (IntegrationStatus.DISCONNECTED, SyncTrigger.MANUAL),
        (IntegrationStatus.PAUSED, SyncTrigger.SCHEDULED),
    ],
)
async def test_unavailable_integration_fails_without_retry(
    status: IntegrationStatus, trigger: SyncTrigger
) -> None:
    world = World()
    await world.handler()(world.request(world.integration(status=status), trigger=trigger))
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.INTEGRATION_UNAVAILABLE and not failed.will_retry
    assert world.connector.calls == []


async def test_manual_sync_of_a_paused_integration_runs() -> None:
    world = World(campaigns=[_campaign(1)])
    integration = world.integration(status=IntegrationStatus.PAUSED)
    await world.handler()(world.request(integration, trigger=SyncTrigger.MANUAL))
    assert isinstance(world.outcome(), SyncCompleted)


async def test_deleted_integration_and_run_end_as_unavailable() -> None:
    world = World()
    request = world.request(world.integration())
    del world.store.state.runs[request.run_id]
    world.store.state.integrations.clear()
    await world.handler()(request)
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.INTEGRATION_UNAVAILABLE and not failed.will_retry


async def test_limiter_wait_exceeded_is_a_retryable_rate_limit() -> None:
    world = World(errors=[LimitWaitExceeded(30)])
    await world.handler()(world.request(world.integration()))
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.RATE_LIMITED and failed.will_retry


async def test_connector_bug_ends_the_attempt_as_retryable_internal_error() -> None:
    world = World(errors=[KeyError("surprise")])
    await world.handler()(world.request(world.integration()))
    failed = world.outcome()
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.INTERNAL_ERROR and failed.will_retry
    assert failed.message == "connector failed: KeyError"
