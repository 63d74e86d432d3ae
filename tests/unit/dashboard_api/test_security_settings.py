"""The dashboard's settings fail closed: no unauthenticated benchmark route outside
development and test, and the start-up line names the API's protections."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError

from cmis_dashboard_api.settings import DashboardSettings

pytestmark = pytest.mark.unit

REAL_KEY = SecretStr(Fernet.generate_key().decode())


def test_bench_route_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="BENCHMARK_ROUTES"):
        DashboardSettings(environment="production", encryption_keys=REAL_KEY, benchmark_routes=True)


def test_bench_route_refused_when_environment_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CMIS_ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError, match="BENCHMARK_ROUTES"):
        DashboardSettings(encryption_keys=REAL_KEY, benchmark_routes=True)


def test_bench_route_allowed_in_test() -> None:
    assert DashboardSettings(environment="test", benchmark_routes=True).benchmark_routes


def test_startup_protections_name_the_api_protections() -> None:
    settings = DashboardSettings(environment="production", encryption_keys=REAL_KEY)
    protections = settings.protections()
    assert protections["environment"] == "production"
    assert protections["encryption_key_source"] == "configured"
    assert protections["benchmark_routes"] is False
    assert protections["api_access_lifetime_days"] == 30
    assert protections["cors_origins"] == "none"
