"""OpenAPI documentation helpers: each route declares its summary, description, examples and
error responses through :func:`documented`; :func:`add_code_samples` then writes request
samples in bash (curl), JavaScript, PHP and Python into every operation (``x-codeSamples``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse

from cmis_dashboard_api.schemas.common import ErrorBody

BASE_URL = "http://localhost:8000"
SAMPLE_QUERY = "x-sample-query"  # read, then removed, by add_code_samples
TOKEN = "$CMIS_TOKEN"

_ERROR_EXAMPLES = {
    400: ("invalid_state", "the OAuth state is missing, tampered with or expired", None),
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
    502: ("platform_error", "the platform could not be reached; retry later", None),
}
_ERROR_TEXT = {
    400: "The request cannot be trusted or used (e.g. an OAuth state); `code` says why.",
    401: "No token, or an invalid, expired or revoked one.",
    403: "The change needs the organization's admin role (members read).",
    404: "No such resource, or one in an organization the caller does not belong to.",
    409: "The change conflicts with existing data.",
    422: "An invalid id, query or body; `details` names each field.",
    429: "Rate limit reached; see the `Retry-After` header.",
    502: "A platform this request depends on failed or could not be reached.",
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
    sample_query: str | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator carrying the route's whole documentation;
    ``sample_query`` (``"platform=google&limit=20"``) goes into the request samples' URL."""
    responses = error_responses(*errors)
    responses[status_code] = {"description": response_description}
    if response_example is not None:
        responses[status_code]["content"] = {"application/json": {"example": response_example}}
    extra: dict[str, Any] = {}
    if request_example is not None:
        extra["requestBody"] = {"content": {"application/json": {"example": request_example}}}
    if sample_query is not None:
        extra[SAMPLE_QUERY] = sample_query
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


ORG = "/api/orgs/{org_id}"
# Which response's id feeds which operations (OpenAPI links): a client, or a stateful fuzzer,
# can follow them from what it created or listed to what uses that id.
LINKS: dict[tuple[str, str, str, str], tuple[tuple[str, str, str], ...]] = {
    (ORG + "/integrations", "post", "201", "/id"): (
        (ORG + "/integrations/{integration_id}", "get", "integration_id"),
        (ORG + "/integrations/{integration_id}", "patch", "integration_id"),
        (ORG + "/integrations/{integration_id}", "delete", "integration_id"),
        (ORG + "/sync/integrations/{integration_id}/status", "get", "integration_id"),
        (ORG + "/sync/integrations/{integration_id}/trigger", "post", "integration_id"),
    ),
    (ORG + "/kpis", "post", "201", "/id"): (
        (ORG + "/kpis/{kpi_id}", "patch", "kpi_id"),
        (ORG + "/kpis/{kpi_id}", "delete", "kpi_id"),
    ),
    (ORG + "/scheduled-content", "post", "201", "/id"): (
        (ORG + "/scheduled-content/{content_id}", "patch", "content_id"),
        (ORG + "/scheduled-content/{content_id}", "delete", "content_id"),
    ),
    (ORG + "/campaigns", "get", "200", "/items/0/id"): (
        (ORG + "/campaigns/{campaign_id}", "get", "campaign_id"),
    ),
    (ORG + "/alerts", "get", "200", "/items/0/id"): (
        (ORG + "/alerts/{alert_id}", "get", "alert_id"),
        (ORG + "/alerts/{alert_id}/history", "get", "alert_id"),
        (ORG + "/alerts/{alert_id}/acknowledge", "post", "alert_id"),
        (ORG + "/alerts/{alert_id}/snooze", "post", "alert_id"),
        (ORG + "/alerts/{alert_id}/resolve", "post", "alert_id"),
    ),
}


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    paths = document.get("paths", {})
    for (path, method, status, pointer), targets in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for target_path, target_method, parameter in targets:
            target = paths.get(target_path, {}).get(target_method)
            if target is None:
                continue
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": {
                    "org_id": "$request.path.org_id",
                    parameter: f"$response.body#{pointer}",
                },
            }
    return document


def add_code_samples(document: dict[str, Any]) -> dict[str, Any]:
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("example")
            query = operation.pop(SAMPLE_QUERY, None)
            target = f"{path}?{query}" if query else path
            authenticated = "security" in operation  # a route that needs no token has none
            operation["x-codeSamples"] = code_samples(
                method, target, body, authenticated=authenticated
            )
    return document


STATIC_DOCS = "/static-offline-docs"  # where fastapi-offline serves Swagger UI's assets
# Swagger UI shows no x-codeSamples of its own (ReDoc does): this plugin puts each
# operation's request samples above its responses, one collapsible block per language.
CODE_SAMPLES_PLUGIN = """
    const CodeSamples = (system) => ({
      wrapComponents: {
        responses: (Original, sys) => (props) => {
          const React = sys.React;
          const found = sys.specSelectors.specJson().getIn(
            ["paths", props.path, props.method, "x-codeSamples"]);
          const samples = found ? found.toJS() : [];
          const blocks = samples.map((sample) => React.createElement("details",
            {key: sample.lang, className: "code-sample"},
            React.createElement("summary", null, sample.label),
            React.createElement("pre", {className: "microlight"}, sample.source)));
          return React.createElement("div", null,
            samples.length ? React.createElement("div", {className: "opblock-section"},
              React.createElement("h4", {className: "opblock-title"}, "Request samples"),
              ...blocks) : null,
            React.createElement(Original, props));
        },
      },
    });
"""


def swagger_ui_page(app: FastAPI, root: str) -> str:
    page = get_swagger_ui_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        swagger_js_url=f"{root}{STATIC_DOCS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_DOCS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_DOCS}/favicon.png",
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    html = bytes(page.body).decode()
    html = html.replace(
        "const ui = SwaggerUIBundle({",
        CODE_SAMPLES_PLUGIN + "    const ui = SwaggerUIBundle({\n    plugins: [CodeSamples],",
        1,
    )
    return html


def serve_swagger_ui_with_code_samples(app: FastAPI) -> None:
    """Replace ``/docs`` (fastapi-offline's page) by the same page with the samples plugin."""
    app.router.routes[:] = [
        route for route in app.router.routes if getattr(route, "path", None) != "/docs"
    ]

    async def swagger_ui(request: Request) -> HTMLResponse:
        return HTMLResponse(swagger_ui_page(app, request.scope.get("root_path", "")))

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
