"""Platform credentials encrypted at rest (Fernet: AES-128-CBC + HMAC), with key rotation."""

from __future__ import annotations

from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr


class CredentialsDecryptionError(ValueError):
    """The ciphertext was made with a key we no longer hold, or was tampered with."""


class TokenCipher:
    def __init__(self, keys: SecretStr) -> None:
        key_list = [k.strip() for k in keys.get_secret_value().split(",") if k.strip()]
        if not key_list:
            raise ValueError("at least one encryption key is required")
        fernets = [Fernet(key.encode()) for key in key_list]
        self._primary = fernets[0]
        self._fernet = MultiFernet(fernets)

    def encrypt(self, credentials: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(orjson.dumps(credentials))

    def decrypt(self, ciphertext: bytes) -> dict[str, Any]:
        try:
            return orjson.loads(self._fernet.decrypt(ciphertext))  # type: ignore[no-any-return]
        except InvalidToken:
            raise CredentialsDecryptionError("credentials cannot be decrypted") from None

    def is_current(self, ciphertext: bytes) -> bool:
        """Encrypted with the first key (what :meth:`encrypt` uses): nothing to rotate."""
        try:
            self._primary.decrypt(ciphertext)
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: bytes) -> bytes:
        """The same credentials encrypted with the first key (decrypted with any key)."""
        try:
            return self._fernet.rotate(ciphertext)
        except InvalidToken:
            raise CredentialsDecryptionError("credentials cannot be decrypted") from None

    def __repr__(self) -> str:
        return "TokenCipher(<keys hidden>)"
