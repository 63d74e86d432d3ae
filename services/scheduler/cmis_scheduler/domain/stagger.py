"""Stable per-integration offsets: an entry's place inside its period.

The offset is a hash of the integration id and data type, so it never changes between
restarts or replicas and needs no coordination, and a large set of integrations lands
uniformly across the period. Hashing only spreads in expectation; the per-platform rate
budget (:mod:`.budget`) flattens what clusters remain.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

from cmis_scheduler.domain.schedule import ScheduleSpec

_SCALE = float(2**64)


def offset_fraction(integration_id: UUID, data_type: str) -> float:
    """A stable number in [0, 1) for this integration and data type."""
    digest = hashlib.blake2b(
        integration_id.bytes + data_type.encode(), digest_size=8, person=b"cmis-stagger"
    ).digest()
    return int.from_bytes(digest, "big") / _SCALE


def offset_seconds(spec: ScheduleSpec, integration_id: UUID) -> int:
    return int(offset_fraction(integration_id, spec.data_type) * spec.spread_seconds)
