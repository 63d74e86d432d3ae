import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from cmis_shared.crypto import CredentialsDecryptionError, TokenCipher
from cmis_shared.settings import CmisSettings, SettingsError, load_settings
from cmis_shared.telemetry import redact_secrets

pytestmark = pytest.mark.unit


def test_defaults_point_at_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CMIS_DATABASE_URL", "CMIS_RABBIT_URL", "CMIS_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(CmisSettings)
    assert "127.0.0.1" in settings.database_url
    assert "127.0.0.1" in settings.rabbit_url


def test_several_broker_addresses_are_tried_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMIS_RABBIT_URL", "amqp://guest:guest@one:5672/")
    monkeypatch.delenv("CMIS_RABBIT_URLS", raising=False)
    assert load_settings(CmisSettings).amqp_urls == ("amqp://guest:guest@one:5672/",)
    monkeypatch.setenv("CMIS_RABBIT_URLS", " amqp://a:5672/, amqp://b:5673/ ,,amqp://c:5674/")
    assert load_settings(CmisSettings).amqp_urls == (
        "amqp://a:5672/",
        "amqp://b:5673/",
        "amqp://c:5674/",
    )


def test_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMIS_PREFETCH_COUNT", "lots")
    with pytest.raises(SettingsError, match="CMIS_PREFETCH_COUNT"):
        load_settings(CmisSettings)


def test_production_refuses_the_development_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMIS_ENVIRONMENT", "production")
    monkeypatch.delenv("CMIS_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(SettingsError, match="CMIS_ENCRYPTION_KEYS"):
        load_settings(CmisSettings)


def test_the_outbox_batch_deadline_must_end_inside_the_lease(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CMIS_OUTBOX_LEASE_SECONDS", "3")
    monkeypatch.setenv("CMIS_OUTBOX_BATCH_DEADLINE_SECONDS", "3")
    with pytest.raises(SettingsError, match="CMIS_OUTBOX_BATCH_DEADLINE_SECONDS"):
        load_settings(CmisSettings)
    monkeypatch.setenv("CMIS_OUTBOX_BATCH_DEADLINE_SECONDS", "2.5")
    assert load_settings(CmisSettings).outbox_batch_deadline_seconds == 2.5


def test_redis_keys_carry_the_namespace() -> None:
    assert CmisSettings(namespace="t1.").redis_key("dashboard", "x") == "t1.cmis:dashboard:x"


def test_cipher_round_trips_and_rotates_keys() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    ciphertext = TokenCipher(SecretStr(old)).encrypt({"access_token": "s3cret"})
    assert b"s3cret" not in ciphertext
    rotated = TokenCipher(SecretStr(f"{new},{old}"))
    assert rotated.decrypt(ciphertext) == {"access_token": "s3cret"}
    with pytest.raises(CredentialsDecryptionError):
        TokenCipher(SecretStr(new)).decrypt(ciphertext)
    assert "s3cret" not in repr(rotated) and new not in repr(rotated)


def test_log_redaction_hides_secret_looking_keys() -> None:
    event = redact_secrets(None, "info", {"access_token": "x", "Authorization": "y", "org": "z"})
    assert event == {"access_token": "[redacted]", "Authorization": "[redacted]", "org": "z"}
