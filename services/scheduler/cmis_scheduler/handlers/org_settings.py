"""``organization.settings_changed``: re-plan the schedule entries of every integration of
the organization from the stored settings (new periods, a switched-off or switched-on data
type, the full sync's local time and time zone), in one unit of work with the inbox claim.

A changed period starts at its next slot at once; a changed time of day or time zone keeps
an entry's already planned next run (see ``domain.entries.plan_entries``) and applies from
the run after."""

from __future__ import annotations

from cmis_scheduler.handlers.reconcile import reconcile_integrations
from cmis_scheduler.ports import SchedulerUnitOfWork
from cmis_shared.clock import Clock
from cmis_shared.events import OrganizationSettingsChanged

CONSUMER = "scheduler"


async def on_settings_changed(
    event: OrganizationSettingsChanged, uow: SchedulerUnitOfWork, clock: Clock
) -> int:
    """The entries written (0 for a redelivery)."""
    async with uow:
        if not await uow.claim_event(CONSUMER, event.event_id):
            return 0
        integration_ids = await uow.entries.integration_ids_of_org(event.org_id)
        written = await reconcile_integrations(uow.entries, integration_ids, clock())
        await uow.commit()
    return written
