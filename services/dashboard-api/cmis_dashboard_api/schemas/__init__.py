"""Request and response bodies of the HTTP API (also what the OpenAPI document shows)."""
