"""Fail closed: an unset environment is production, so development conveniences need an
explicit development or test, and a start-up line says which protections are on."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from cmis_shared.settings import CmisSettings, SettingsError, load_settings

pytestmark = pytest.mark.unit


def test_settings_without_environment_refuse_the_development_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CMIS_ENVIRONMENT", raising=False)
    monkeypatch.delenv("CMIS_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(SettingsError, match="CMIS_ENCRYPTION_KEYS"):
        load_settings(CmisSettings)


def test_unset_environment_is_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CMIS_ENVIRONMENT", raising=False)
    settings = CmisSettings(encryption_keys=SecretStr(Fernet.generate_key().decode()))
    assert settings.environment == "production"
    assert not settings.is_development


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_key_accepted_only_when_said_explicitly(environment: str) -> None:
    assert CmisSettings(environment=environment).is_development  # type: ignore[arg-type]


def test_protections_name_environment_and_key_source() -> None:
    production = CmisSettings(
        environment="production", encryption_keys=SecretStr(Fernet.generate_key().decode())
    ).protections()
    assert production["environment"] == "production"
    assert production["encryption_key_source"] == "configured"
    assert production["development_conveniences_refused"] is True
    assert CmisSettings(environment="test").protections()["encryption_key_source"] == "development"
