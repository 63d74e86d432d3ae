"""Reading and changing an organization's settings. A change is one transaction: the new
values, its audit record and ``organization.settings_changed`` (outbox), through which the
scheduler re-plans, alerting re-evaluates and the dashboard takes the time zone, without
restarts. A patch that changes nothing writes nothing and announces nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from cmis_dashboard_api.domain.org_settings import TriggerLimit, apply_patch, trigger_limit, view
from cmis_dashboard_api.ports import AuditRecord, Principal, UnitOfWork
from cmis_shared.events import OrganizationSettingsChanged

SETTINGS_CHANGED = "settings.changed"


async def read_settings(uow: UnitOfWork, org_id: UUID, triggers: TriggerLimit) -> dict[str, Any]:
    async with uow:
        stored = await uow.org_settings.read(org_id)
        currency = await uow.org_settings.first_account_currency(org_id)
    return view(stored, currency, triggers)


async def change_settings(
    uow: UnitOfWork,
    org_id: UUID,
    actor: Principal,
    patch: Mapping[str, Any],
    triggers: TriggerLimit,
) -> dict[str, Any]:
    """Apply ``patch`` (validated; only the keys given) and return the settings in force."""
    async with uow:
        change = apply_patch(await uow.org_settings.lock(org_id), patch)
        if change.after:
            await uow.org_settings.save(org_id, change.settings)
            await uow.audit.record(
                AuditRecord(
                    org_id=org_id,
                    actor=actor,
                    action=SETTINGS_CHANGED,
                    target_type="organization",
                    target_id=str(org_id),
                    before=change.before,
                    after=change.after,
                )
            )
            await uow.publish(
                OrganizationSettingsChanged(
                    org_id=org_id,
                    changed=change.changed,
                    timezone=change.settings.timezone,
                    currency=change.settings.currency,
                    changed_by=actor.user_id,
                )
            )
        currency = await uow.org_settings.first_account_currency(org_id)
        await uow.commit()
    return view(change.settings, currency, triggers)


async def manual_trigger_limit(
    uow: UnitOfWork, org_id: UUID, default: TriggerLimit
) -> TriggerLimit | None:
    """The organization's own manual-trigger limit (``None``: it has none), read per
    request: a change applies to the next trigger in every API process."""
    async with uow:
        return trigger_limit((await uow.org_settings.read(org_id)).overrides, default)
