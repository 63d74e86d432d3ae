"""The scheduler's unit of work: the shared SQLAlchemy one (inbox claim, outbox, one
transaction) with the scheduler's repositories on its session."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_scheduler.adapters.backfill_store import BackfillRepository
from cmis_scheduler.adapters.entries_store import EntriesStore
from cmis_scheduler.adapters.exchange_rates import ExchangeRateStore
from cmis_scheduler.adapters.freshness import FreshnessStore
from cmis_scheduler.adapters.integrations import IntegrationRepository
from cmis_scheduler.adapters.retention import RetentionStore
from cmis_scheduler.adapters.retry_store import RetryRepository
from cmis_scheduler.adapters.runs import RunRepository
from cmis_scheduler.domain.schedule import ScheduleDefaults
from cmis_shared.uow import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    integrations: IntegrationRepository
    entries: EntriesStore
    retries: RetryRepository
    runs: RunRepository
    retention: RetentionStore
    freshness: FreshnessStore
    exchange_rates: ExchangeRateStore
    backfills: BackfillRepository

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], defaults: ScheduleDefaults
    ) -> None:
        super().__init__(sessions)
        self._defaults = defaults

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.integrations = IntegrationRepository(self.session)
        self.entries = EntriesStore(self.session, self._defaults)
        self.retries = RetryRepository(self.session)
        self.runs = RunRepository(self.session)
        self.retention = RetentionStore(self.session)
        self.freshness = FreshnessStore(self.session)
        self.exchange_rates = ExchangeRateStore(self.session)
        self.backfills = BackfillRepository(self.session)
        return self
