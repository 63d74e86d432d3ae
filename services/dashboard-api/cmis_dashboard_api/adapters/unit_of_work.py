"""The unit of work over PostgreSQL (SQLAlchemy session, outbox) with the dashboard's
repositories, each bound to the transaction's session."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api.adapters import plans
from cmis_dashboard_api.adapters.alert_queries import SqlAlertStates
from cmis_dashboard_api.adapters.audit_log import SqlAuditLog
from cmis_dashboard_api.adapters.backfills import SqlBackfills
from cmis_dashboard_api.adapters.integrations import SqlIntegrations
from cmis_dashboard_api.adapters.members import SqlMembers
from cmis_dashboard_api.adapters.notification_channels import SqlNotificationChannels, SqlSilences
from cmis_dashboard_api.adapters.oauth_grants import SqlOAuthGrants
from cmis_dashboard_api.adapters.org_settings import SqlOrgSettings
from cmis_dashboard_api.adapters.sync_commands import SqlRuns
from cmis_dashboard_api.schemas.plans import ContentOut, KpiOut
from cmis_shared.crypto import TokenCipher
from cmis_shared.uow import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], cipher: TokenCipher
    ) -> None:
        super().__init__(session_factory)
        self._cipher = cipher

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        return self

    @property
    def runs(self) -> SqlRuns:
        return SqlRuns(self.session)

    @property
    def integrations(self) -> SqlIntegrations:
        return SqlIntegrations(self, self._cipher)

    @property
    def oauth_grants(self) -> SqlOAuthGrants:
        return SqlOAuthGrants(self, self._cipher)

    @property
    def kpis(self) -> plans.SqlPlans[KpiOut]:
        return plans.kpis(self.session)

    @property
    def content(self) -> plans.SqlPlans[ContentOut]:
        return plans.content(self.session)

    @property
    def alerts(self) -> SqlAlertStates:
        return SqlAlertStates(self.session)

    @property
    def org_settings(self) -> SqlOrgSettings:
        return SqlOrgSettings(self.session)

    @property
    def members(self) -> SqlMembers:
        return SqlMembers(self.session)

    @property
    def audit(self) -> SqlAuditLog:
        return SqlAuditLog(self.session)

    @property
    def channels(self) -> SqlNotificationChannels:
        return SqlNotificationChannels(self.session, self._cipher)

    @property
    def silences(self) -> SqlSilences:
        return SqlSilences(self.session)

    @property
    def backfills(self) -> SqlBackfills:
        return SqlBackfills(self.session)
