"""The alerting unit of work: the shared one (inbox claim, outbox, one transaction) with the
repositories alerting's handlers use, all on its session."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_alerting.adapters.alert_history import AlertHistoryStore
from cmis_alerting.adapters.alert_store import AlertStore
from cmis_alerting.adapters.integrations import IntegrationReader
from cmis_alerting.adapters.metrics import MetricsReader
from cmis_shared.uow import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    alerts: AlertStore
    history: AlertHistoryStore
    integrations: IntegrationReader
    metrics: MetricsReader

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(session_factory)

    async def __aenter__(self) -> SqlUnitOfWork:
        await super().__aenter__()
        self.alerts = AlertStore(self.session)
        self.history = AlertHistoryStore(self.session)
        self.integrations = IntegrationReader(self.session)
        self.metrics = MetricsReader(self.session)
        return self
