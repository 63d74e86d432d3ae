"""The organization's settings: time zone, currency, alert thresholds, sync schedules per
data type and the manual-trigger limit. Members read; admins change."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.org_settings import TriggerLimit
from cmis_dashboard_api.handlers.settings import change_settings, read_settings
from cmis_dashboard_api.schemas.settings import SettingsOut, SettingsPatch

router = APIRouter(tags=["settings"])
PATH = "/orgs/{org_id}/settings"


def default_trigger_limit(services: Services) -> TriggerLimit:
    settings = services.settings
    return TriggerLimit(settings.trigger_rate_limit, settings.trigger_rate_window_seconds)


@router.get(
    PATH,
    response_model=SettingsOut,
    **documented(
        summary="Organization settings",
        description=(
            "The values in force, the defaults that apply where the organization set "
            "nothing, and which values are its own (`overridden`)."
        ),
        response_example=examples.SETTINGS,
    ),
)
async def get_settings(org_id: OrgAccess, services: ServicesDep) -> Response:
    document = await read_settings(services.uow(), org_id, default_trigger_limit(services))
    return json_response(SettingsOut.model_validate(document))


@router.patch(
    PATH,
    response_model=SettingsOut,
    **documented(
        summary="Change organization settings",
        description=(
            "Changes only the keys given; `null` returns a value to its default. Takes "
            "effect without restarts: the scheduler re-plans the organization's syncs, "
            "alerting re-evaluates token expiry at once and applies the budget thresholds "
            "from the next sync, the dashboard shows the time zone, and the trigger limit "
            "applies to the next trigger. Audited (`GET .../audit`)."
        ),
        request_example=examples.SETTINGS_PATCH,
        response_example=examples.SETTINGS,
        errors=(401, 403, 404, 422),
    ),
)
async def patch_settings(
    org_id: OrgAccess, body: SettingsPatch, user: CurrentUser, services: ServicesDep
) -> Response:
    document = await change_settings(
        services.uow(),
        org_id,
        user,
        body.model_dump(exclude_unset=True),
        default_trigger_limit(services),
    )
    return json_response(SettingsOut.model_validate(document))
