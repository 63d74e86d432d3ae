"""One JSON error shape everywhere: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from cmis_dashboard_api.api.unavailable import UNAVAILABLE, is_unavailable
from cmis_dashboard_api.schemas.jsonbytes import dumps

log = structlog.get_logger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details = details
        self.headers = headers


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def rate_limited(message: str, retry_after_seconds: float) -> ApiError:
    seconds = max(1, int(retry_after_seconds))
    return ApiError(
        429,
        message,
        details={"retry_after_seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = dumps({"error": {"code": code, "message": message, "details": details}})
    return Response(body, status, headers=headers, media_type="application/json")


async def _api_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.code, error.message, error.details, error.headers)


BODY_NOT_PARSED = "There was an error parsing the body"


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400 and error.detail == BODY_NOT_PARSED:
        # Bytes that are not JSON at all: the same answer as JSON of the wrong shape.
        details = [{"field": "body", "message": "not valid JSON", "type": "json_invalid"}]
        return error_response(422, "validation_error", "invalid request: body", details)
    headers = error.headers
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    code = _CODES.get(error.status_code, "error")
    return error_response(error.status_code, code, str(error.detail), None, headers)


METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route takes on the request's path: the router answers 405 from the
    first route whose path matched, naming only that route's methods."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


async def _validation_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    details = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "message": item.get("msg", ""),
            "type": item.get("type", ""),
        }
        for item in error.errors()
    ]
    fields = ", ".join(detail["field"] for detail in details[:5])
    return error_response(422, "validation_error", f"invalid request: {fields}", details)


async def _unexpected_error(_: Request, error: Exception) -> Response:
    log.error("unhandled error", error_type=type(error).__name__, exc_info=error)
    return error_response(500, "internal_error", "internal server error")


def _unavailable_handler(
    retry_after_seconds: int,
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def unavailable(request: Request, error: Exception) -> Response:
        if not is_unavailable(error):
            return await _unexpected_error(request, error)
        # No traceback and no message text: a driver's message may carry a host or a DSN.
        log.warning("dependency unavailable", error_type=type(error).__name__)
        return error_response(
            503,
            "unavailable",
            "a service this request needs is unreachable; retry later",
            {"retry_after_seconds": retry_after_seconds},
            {"Retry-After": str(retry_after_seconds)},
        )

    return unavailable


def install_error_handlers(app: FastAPI, unavailable_retry_after_seconds: int = 5) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    unavailable = _unavailable_handler(unavailable_retry_after_seconds)
    for error_class in UNAVAILABLE:
        app.add_exception_handler(error_class, unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
