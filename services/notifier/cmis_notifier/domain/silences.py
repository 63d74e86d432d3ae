"""Silences: no notification about a subject (of one alert type, or any) until the silence
expires; an expired silence is ignored, so a still-firing alert then goes out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from cmis_shared.events import AlertType


@dataclass(frozen=True)
class Silence:
    subject_id: UUID
    alert_type: AlertType | None
    expires_at: datetime

    def covers(self, subject_id: UUID, alert_type: AlertType, now: datetime) -> bool:
        return (
            now < self.expires_at
            and subject_id == self.subject_id
            and self.alert_type in (None, alert_type)
        )


def is_silenced(
    silences: Iterable[Silence], subject_id: UUID, alert_type: AlertType, now: datetime
) -> bool:
    return any(s.covers(subject_id, alert_type, now) for s in silences)
