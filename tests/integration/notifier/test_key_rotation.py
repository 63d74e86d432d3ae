"""``cmis-admin rotate-keys`` also re-encrypts notification channel targets (URLs carrying
tokens, webhook secrets), so removing the old key afterwards breaks no channel."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from cmis_shared.crypto import TokenCipher
from cmis_shared.key_rotation import rotate_credentials
from tests.integration.notifier.harness import Notifier

pytestmark = pytest.mark.integration


async def test_rotation_re_encrypts_channel_targets_with_the_first_key(notifier: Notifier) -> None:
    target = {"url": "https://hooks.example/T0/B0/secret-token", "secret": "whsec_x"}
    channel = await notifier.add_channel(await notifier.add_org(), "slack", target)
    old = notifier.settings.encryption_keys.get_secret_value()
    new_first = TokenCipher(SecretStr(f"{Fernet.generate_key().decode()},{old}"))

    counts = await rotate_credentials(notifier.sessions, new_first)

    assert counts.rotated == 1 and counts.unreadable == 0
    stored = (await notifier.channel(channel)).target_encrypted
    assert new_first.is_current(stored) and new_first.decrypt(stored) == target
    assert (await rotate_credentials(notifier.sessions, new_first)).already_current == 1
