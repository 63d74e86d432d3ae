"""OAuth settings: the simulator only outside production; explicit values win over it."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError

from cmis_dashboard_api.settings import DashboardSettings, OAuthClients

pytestmark = pytest.mark.unit


def test_simulator_is_refused_in_production() -> None:
    key = SecretStr(Fernet.generate_key().decode())
    with pytest.raises(ValidationError, match="CMIS_PLATFORM_SIM_URL"):
        DashboardSettings(
            environment="production", encryption_keys=key, platform_sim_url="http://sim"
        )
    assert (
        DashboardSettings(environment="production", encryption_keys=key).oauth_clients()
        == OAuthClients()
    )


def test_simulator_urls_with_explicit_values_kept() -> None:
    settings = DashboardSettings(
        environment="test",
        platform_sim_url="http://sim:8900/",
        oauth=OAuthClients(google={"id": "ours", "secret": "our-secret"}),
    )
    clients = settings.oauth_clients()
    assert clients.google.id == "ours" and clients.google.configured()
    assert clients.google_token_url == "http://sim:8900/google/token"
    assert clients.x_oauth_base_url == "http://sim:8900/twitter/oauth/"
    assert clients.meta.secret.get_secret_value() == "sim-meta-secret"
    assert "sim-meta-secret" not in repr(clients)  # secrets stay out of reprs and logs
