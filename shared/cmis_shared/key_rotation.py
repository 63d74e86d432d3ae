"""Re-encrypting every stored platform credential (and notification channel target) with the
first encryption key.

Rotation of ``CMIS_ENCRYPTION_KEYS``: put the new key first and keep the old ones after it,
deploy (every service decrypts with any key and encrypts with the first), run
``cmis-admin rotate-keys``, then remove the old keys. This module is that command's logic.

Resumable and idempotent: rows are walked in id order in batches, one short transaction per
batch; a row already under the first key is skipped, so a stopped run started again just
continues. A row is rewritten only if neither its ciphertext nor its ``credentials_version``
changed since it was read (a refresh or reconnect meanwhile wrote it with the first key
already); the version is not bumped, because the credentials themselves did not change.
Notification channel targets (URLs with tokens, webhook secrets) have no version column: the
ciphertext comparison alone guards them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.crypto import CredentialsDecryptionError, TokenCipher


@dataclass(frozen=True)
class _EncryptedColumn:
    batch: TextClause  # id, ciphertext, version of the rows after :after
    rewrite: TextClause  # the new ciphertext, if the row is still as read


_INTEGRATION_CREDENTIALS = _EncryptedColumn(
    text(
        """
        SELECT id, credentials_encrypted, credentials_version FROM integrations
        WHERE CAST(:after AS uuid) IS NULL OR id > :after
        ORDER BY id LIMIT :limit
        """
    ),
    text(
        """
        UPDATE integrations SET credentials_encrypted = :new
        WHERE id = :id AND credentials_version = :version AND credentials_encrypted = :old
        """
    ),
)
_CHANNEL_TARGETS = _EncryptedColumn(
    text(
        """
        SELECT id, target_encrypted, 0 FROM notification_channels
        WHERE CAST(:after AS uuid) IS NULL OR id > :after
        ORDER BY id LIMIT :limit
        """
    ),
    text(
        """
        UPDATE notification_channels SET target_encrypted = :new
        WHERE id = :id AND target_encrypted = :old AND 0 = :version
        """
    ),
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
    for column in (_INTEGRATION_CREDENTIALS, _CHANNEL_TARGETS):
        await _rotate_column(sessions, cipher, column, batch_size, progress, counts)
    return counts


async def _rotate_column(
    sessions: async_sessionmaker[AsyncSession],
    cipher: TokenCipher,
    column: _EncryptedColumn,
    batch_size: int,
    progress: Callable[[RotationCounts], object] | None,
    counts: RotationCounts,
) -> None:
    after: UUID | None = None
    while True:
        async with sessions() as session, session.begin():
            rows = (
                await session.execute(column.batch, {"after": after, "limit": batch_size})
            ).all()
            for row_id, stored, version in rows:
                await _rotate_one(session, cipher, column, row_id, stored, version, counts)
        if not rows:
            return
        after = rows[-1][0]
        if progress is not None:
            progress(counts)


async def _rotate_one(
    session: AsyncSession,
    cipher: TokenCipher,
    column: _EncryptedColumn,
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
    if (await session.execute(column.rewrite, params)).rowcount:  # type: ignore[attr-defined]
        counts.rotated += 1
    else:
        counts.changed_meanwhile += 1
