"""Credentials at rest: what dashboard-api stores reads back, and a refresh round-trips."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from cmis_shared.crypto import TokenCipher
from cmis_shared.settings import DEVELOPMENT_ENCRYPTION_KEY
from cmis_sync_worker.adapters.credentials import CredentialsCodec
from cmis_sync_worker.connectors.base import Credentials

pytestmark = pytest.mark.unit

CIPHER = TokenCipher(SecretStr(DEVELOPMENT_ENCRYPTION_KEY))
CODEC = CredentialsCodec(CIPHER)
EXPIRES = datetime(2025, 6, 15, tzinfo=UTC)


def test_flat_and_nested_extras_are_read() -> None:
    stored = CIPHER.encrypt(
        {
            "access_token": "a",
            "refresh_token": None,
            "token_secret": "s",
            "extra": {"page_access_token": "p"},
        }
    )
    credentials = CODEC.decode(stored, EXPIRES)
    assert (credentials.access_token, credentials.refresh_token) == ("a", None)
    assert dict(credentials.extra) == {"token_secret": "s", "page_access_token": "p"}
    assert credentials.expires_at == EXPIRES


def test_encode_round_trips_and_hides_tokens() -> None:
    credentials = Credentials("acc", "ref", EXPIRES, {"token_secret": "s"})
    ciphertext = CODEC.encode(credentials)
    assert b"acc" not in ciphertext and b"ref" not in ciphertext
    assert CODEC.decode(ciphertext, EXPIRES) == credentials
    assert "acc" not in repr(credentials)
