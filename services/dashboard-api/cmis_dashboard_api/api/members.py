"""An organization's members and their roles. Everyone reads the list; admins add existing
users, change roles and remove members. The last admin can be neither removed nor demoted."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
from starlette.responses import Response

from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import ApiError, not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.handlers import members
from cmis_dashboard_api.schemas.members import MemberIn, MemberList, MemberOut, MemberRole

router = APIRouter(tags=["members"])
UserId = Annotated[UUID, Path(description="The member's user id.")]
PATH = "/orgs/{org_id}/members"
_ACCESS = (
    " Takes effect at once in this API process; in others within the auth-cache period "
    "(30 s by default), after which a removed member's open live stream closes. Audited."
)


CHANGE_ROLE, REMOVE = "changeMemberRole", "removeMember"
# OpenAPI links: the member a POST added is the one PATCH and DELETE take (stateful clients
# and fuzzers follow them).
_MEMBER_LINKS = {
    name: {
        "operationId": operation,
        "parameters": {"org_id": "$request.path.org_id", "user_id": "$response.body#/user_id"},
    }
    for name, operation in (("ChangeRole", CHANGE_ROLE), ("Remove", REMOVE))
}


def _with_links(route: dict[str, Any], status: int) -> dict[str, Any]:
    route["responses"][status]["links"] = _MEMBER_LINKS
    return route


def _last_admin() -> ApiError:
    return ApiError(409, "the organization's last admin cannot be removed or demoted")


@router.get(
    PATH,
    response_model=MemberList,
    **documented(
        summary="Members",
        description="Every member of the organization with their role.",
        response_example={"members": [examples.MEMBER]},
    ),
)
async def list_members(org_id: OrgAccess, services: ServicesDep) -> Response:
    return json_response(MemberList(members=await members.list_members(services.uow(), org_id)))


@router.post(
    PATH,
    response_model=MemberOut,
    **_with_links(
        documented(
            summary="Add a member",
            description="Adds an existing user, found by email, with a role." + _ACCESS,
            status_code=201,
            request_example=examples.MEMBER_IN,
            response_example=examples.MEMBER,
            errors=(401, 403, 404, 409, 422),
            response_description="Added.",
        ),
        201,
    ),
)
async def add_member(
    org_id: OrgAccess, body: MemberIn, user: CurrentUser, services: ServicesDep
) -> Response:
    try:
        member = await members.add_member(
            services.uow(), services.auth.forget, org_id, user, body.email, body.role
        )
    except members.UserNotFoundError:
        raise not_found("user") from None
    except members.AlreadyMemberError:
        raise ApiError(409, "the user is a member already") from None
    return json_response(member, 201)


@router.patch(
    PATH + "/{user_id}",
    response_model=MemberOut,
    operation_id=CHANGE_ROLE,
    **documented(
        summary="Change a member's role",
        description="`admin` or `member`. The last admin cannot be demoted (409)." + _ACCESS,
        request_example={"role": "admin"},
        response_example={**examples.MEMBER, "role": "admin"},
        errors=(401, 403, 404, 409, 422),
    ),
)
async def change_role(
    org_id: OrgAccess, user_id: UserId, body: MemberRole, user: CurrentUser, services: ServicesDep
) -> Response:
    try:
        member = await members.change_role(
            services.uow(), services.auth.forget, org_id, user, user_id, body.role
        )
    except members.MemberNotFoundError:
        raise not_found("member") from None
    except members.LastAdminError:
        raise _last_admin() from None
    return json_response(member)


@router.delete(
    PATH + "/{user_id}",
    response_class=Response,
    operation_id=REMOVE,
    **documented(
        summary="Remove a member",
        description="The user loses access to the organization. The last admin cannot be "
        "removed (409)." + _ACCESS,
        status_code=204,
        response_example=None,
        errors=(401, 403, 404, 409, 422),
        response_description="Removed (no body).",
    ),
)
async def remove_member(
    org_id: OrgAccess, user_id: UserId, user: CurrentUser, services: ServicesDep
) -> Response:
    try:
        await members.remove_member(services.uow(), services.auth.forget, org_id, user, user_id)
    except members.MemberNotFoundError:
        raise not_found("member") from None
    except members.LastAdminError:
        raise _last_admin() from None
    return Response(status_code=204)
