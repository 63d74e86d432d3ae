"""``cmis-admin rotate-keys``: after it, every stored credential is readable with only the
new key (by the worker's own codec too); a second run changes nothing."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import text

from cmis_dashboard_api import admin_cli
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.events import Platform
from cmis_shared.settings import CmisSettings
from cmis_sync_worker.adapters.credentials import CredentialsCodec
from tests.integration.sync_worker.world import ACCESS_TOKEN, seed_integration

pytestmark = pytest.mark.integration


async def _rotate(settings: CmisSettings) -> str:
    args = admin_cli._parser().parse_args(["rotate-keys", "--batch-size", "2"])
    return await admin_cli._run(args, settings)


async def test_rotate_keys_leaves_every_credential_readable_with_only_the_new_key(
    settings: CmisSettings,
) -> None:
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    try:
        for n in range(5):
            await seed_integration(
                sessions, settings, Platform.GOOGLE, f"100000000{n}", currency="USD",
                timezone="UTC",
            )  # fmt: skip
        new_key = Fernet.generate_key().decode()
        old_keys = settings.encryption_keys.get_secret_value()
        rotating = settings.model_copy(
            update={"encryption_keys": SecretStr(f"{new_key},{old_keys}")}
        )

        assert await _rotate(rotating) == (
            "rotated 5, already current 0, empty 0, changed meanwhile 0, unreadable 0"
        )
        only_new = TokenCipher(SecretStr(new_key))
        async with sessions() as session:
            stored = (
                await session.execute(text("SELECT credentials_encrypted FROM integrations"))
            ).scalars()
            rows = [bytes(row) for row in stored]
        assert len(rows) == 5
        for ciphertext in rows:
            assert only_new.decrypt(ciphertext)["access_token"] == ACCESS_TOKEN
            assert CredentialsCodec(only_new).decode(ciphertext, None).access_token == ACCESS_TOKEN

        assert await _rotate(rotating) == (  # idempotent: a second run rewrites nothing
            "rotated 0, already current 5, empty 0, changed meanwhile 0, unreadable 0"
        )
    finally:
        await engine.dispose()
