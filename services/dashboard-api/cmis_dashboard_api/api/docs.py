"""OpenAPI documentation helpers: each route declares its summary, description, examples and
error responses through :func:`documented`; :func:`add_code_samples` then writes request
samples in bash (curl), JavaScript, PHP and Python into every operation (``x-codeSamples``)."""

from __future__ import annotations

import json
from typing import Any

from cmis_dashboard_api.schemas.common import ErrorBody

BASE_URL = "http://localhost:8000"
TOKEN = "$CMIS_TOKEN"

_ERROR_EXAMPLES = {
    401: ("unauthorized", "missing bearer token", None),
    403: ("forbidden", "this change needs the organization's admin role", None),
    404: ("not_found", "organization not found", None),
    409: ("conflict", "a KPI with this name already exists", None),
    422: (
        "validation_error",
        "invalid request: path.org_id",
        [
            {
                "field": "path.org_id",
                "message": "Input should be a valid UUID",
                "type": "uuid_parsing",
            }
        ],
    ),
    429: ("rate_limited", "too many sync triggers; retry later", {"retry_after_seconds": 42}),
}
_ERROR_TEXT = {
    401: "No token, or an invalid, expired or revoked one.",
    403: "The change needs the organization's admin role (members read).",
    404: "No such resource, or one in an organization the caller does not belong to.",
    409: "The change conflicts with existing data.",
    422: "An invalid id, query or body; `details` names each field.",
    429: "Rate limit reached; see the `Retry-After` header.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        code, message, details = _ERROR_EXAMPLES[status]
        example = {"error": {"code": code, "message": message, "details": details}}
        responses[status] = {
            "model": ErrorBody,
            "description": _ERROR_TEXT[status],
            "content": {"application/json": {"example": example}},
        }
    return responses


def documented(
    *,
    summary: str,
    description: str,
    response_example: Any,
    status_code: int = 200,
    request_example: Any = None,
    errors: tuple[int, ...] = (401, 404, 422),
    tags: list[str] | None = None,
    response_description: str = "Success.",
) -> dict[str, Any]:
    """Keyword arguments for a route decorator carrying the route's whole documentation."""
    responses = error_responses(*errors)
    responses[status_code] = {"description": response_description}
    if response_example is not None:
        responses[status_code]["content"] = {"application/json": {"example": response_example}}
    extra: dict[str, Any] = {}
    if request_example is not None:
        extra["requestBody"] = {"content": {"application/json": {"example": request_example}}}
    return {
        "summary": summary,
        "description": description,
        "status_code": status_code,
        "responses": responses,
        "openapi_extra": extra or None,
        "tags": tags,
    }


def code_samples(
    method: str, path: str, body: Any, *, authenticated: bool = True
) -> list[dict[str, str]]:
    """The four samples; ``authenticated=False`` (sign-in) leaves the token out."""
    url = BASE_URL + path
    method = method.upper()
    data = json.dumps(body, indent=2) if body is not None else None
    curl = f'curl -X {method} "{url}"'
    js = f'const response = await fetch("{url}", {{\n  method: "{method}",\n  headers: {{\n'
    php = "$client = new \\GuzzleHttp\\Client();\n"
    php += f'$response = $client->request("{method}", "{url}", [\n'
    py = f'import os\n\nimport httpx\n\nresponse = httpx.request(\n    "{method}",\n    "{url}",\n'
    if authenticated:
        curl += f' \\\n  -H "Authorization: Bearer {TOKEN}"'
        js += '    "Authorization": `Bearer ${process.env.CMIS_TOKEN}`,\n'
        php += '    "headers" => ["Authorization" => "Bearer " . getenv("CMIS_TOKEN")],\n'
        py += '    headers={"Authorization": f"Bearer {os.environ[\'CMIS_TOKEN\']}"},\n'
    if data is not None:
        curl += f" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{json.dumps(body)}'"
        js += '    "Content-Type": "application/json",\n  },\n'
        js += f"  body: JSON.stringify({data}),\n}});\n"
        php += f"    \"json\" => json_decode('{json.dumps(body)}', true),\n"
        py += f"    json={_python_literal(body)},\n"
    else:
        js += "  },\n});\n"
    js += "const data = await response.json();"
    php += "]);\n$data = json_decode((string) $response->getBody(), true);"
    py += ")\nprint(response.status_code, response.text)"
    return [
        {"lang": "bash", "label": "curl", "source": curl},
        {"lang": "javascript", "label": "JavaScript", "source": js},
        {"lang": "php", "label": "PHP", "source": php},
        {"lang": "python", "label": "Python", "source": py},
    ]


def _python_literal(body: Any) -> str:
    return repr(json.loads(json.dumps(body)))


def add_code_samples(document: dict[str, Any]) -> dict[str, Any]:
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("example")
            authenticated = "security" in operation  # a route that needs no token has none
            operation["x-codeSamples"] = code_samples(
                method, path, body, authenticated=authenticated
            )
    return document
