"""The one layout of docs/architecture.md, checked: every service has the same rooms, and
no domain module imports an I/O library (so domain logic stays testable without servers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("scheduler", "sync-worker", "alerting", "notifier", "dashboard-api")
COMMON_ROOMS = (
    "app.py",
    "bootstrap.py",
    "settings.py",
    "subscribers.py",
    "ports.py",
    "handlers",
    "domain",
    "adapters",
)
IO_LIBRARIES = {
    "aio_pika",
    "aiosmtplib",
    "asyncpg",
    "fastapi",
    "faststream",
    "httpx",
    "redis",
    "sqlalchemy",
}


def _package(service: str) -> Path:
    return ROOT / "services" / service / f"cmis_{service.replace('-', '_')}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_common_layout(service: str) -> None:
    missing = [room for room in COMMON_ROOMS if not (_package(service) / room).exists()]
    assert not missing, f"{service} lacks {missing}"


def test_the_dashboard_adds_routes_and_schemas() -> None:
    assert (_package("dashboard-api") / "api").is_dir()
    assert (_package("dashboard-api") / "schemas").is_dir()


def _imported_roots(source: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("service", SERVICES)
def test_domain_modules_import_no_io_library(service: str) -> None:
    offenders = {
        str(module.relative_to(ROOT)): sorted(_imported_roots(module) & IO_LIBRARIES)
        for module in (_package(service) / "domain").rglob("*.py")
    }
    assert not {name: libs for name, libs in offenders.items() if libs}
