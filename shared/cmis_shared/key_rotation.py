"""Re-encrypting every stored platform credential with the first encryption key.

Rotation of ``CMIS_ENCRYPTION_KEYS``: put the new key first and keep the old ones after it,
deploy (every service decrypts with any key and encrypts with the first), run
``cmis-admin rotate-keys``, then remove the old keys. This module is that command's logic.

Resumable and idempotent: rows are walked in id order in batches, one short transaction per
batch; a row already under the first key is skipped, so a stopped run started again just
continues. A row is rewritten only if neither its ciphertext nor its ``credentials_version``
changed since it was read (a refresh or reconnect meanwhile wrote it with the first key
already); the version is not bumped, because the credentials themselves did not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.crypto import CredentialsDecryptionError, TokenCipher

_BATCH = text(
    """
    SELECT id, credentials_encrypted, credentials_version FROM integrations
    WHERE CAST(:after AS uuid) IS NULL OR id > :after
    ORDER BY id LIMIT :limit
    """
)
_REWRITE = text(
    """
    UPDATE integrations SET credentials_encrypted = :new
    WHERE id = :id AND credentials_version = :version AND credentials_encrypted = :old
    """
)


@dataclass
class RotationCounts:
    rotated: int = 0
    already_current: int = 0
    empty: int = 0  # no credentials stored (erased on disconnect)
    changed_meanwhile: int = 0  # written by someone else while we looked: with the first key
    unreadable: int = 0  # under none of the configured keys: left as they are

    def summary(self) -> str:
        return (
            f"rotated {self.rotated}, already current {self.already_current}, "
            f"empty {self.empty}, changed meanwhile {self.changed_meanwhile}, "
            f"unreadable {self.unreadable}"
        )


async def rotate_credentials(
    sessions: async_sessionmaker[AsyncSession],
    cipher: TokenCipher,
    *,
    batch_size: int = 500,
    progress: Callable[[RotationCounts], object] | None = None,
) -> RotationCounts:
    counts = RotationCounts()
    after: UUID | None = None
    while True:
        async with sessions() as session, session.begin():
            rows = (await session.execute(_BATCH, {"after": after, "limit": batch_size})).all()
            for row_id, stored, version in rows:
                await _rotate_one(session, cipher, row_id, stored, version, counts)
        if not rows:
            return counts
        after = rows[-1][0]
        if progress is not None:
            progress(counts)


async def _rotate_one(
    session: AsyncSession,
    cipher: TokenCipher,
    row_id: UUID,
    stored: bytes | None,
    version: int,
    counts: RotationCounts,
) -> None:
    if not stored:
        counts.empty += 1
        return
    stored = bytes(stored)
    if cipher.is_current(stored):
        counts.already_current += 1
        return
    try:
        rotated = cipher.rotate(stored)
    except CredentialsDecryptionError:
        counts.unreadable += 1
        return
    params = {"new": rotated, "id": row_id, "version": version, "old": stored}
    if (await session.execute(_REWRITE, params)).rowcount:  # type: ignore[attr-defined]
        counts.rotated += 1
    else:
        counts.changed_meanwhile += 1
