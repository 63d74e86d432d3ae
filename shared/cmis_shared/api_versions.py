"""The platform API versions CMIS speaks by default, and the end-of-life dates the platforms
have announced for them: reference data shared by the sync worker (whose connectors declare
the version they speak and its end of life, carried on ``sync.completed``) and the API's
OAuth adapters (which call the same versions). Alerting warns 60 and 14 days before a date.

Sources, as published (checked 2026-11-30); update this table when a platform announces:

- Google Ads API: sunsets announced on the Google Ads developer blog (v19 2026-02-11, v20
  2026-06-10, v21 2026-08-05, v22 2026-10-07). Google's 2026 release table only projects the
  month for v23-v26 (February, May, August, November 2027): the first of that month stands
  in, so the alert comes early rather than late.
- Meta Marketing API (its ads endpoints expire before the Graph API's of the same number,
  which matters for the pages and Instagram calls too): v22.0 2026-02-19, v23.0 2026-06-09,
  v24.0 2026-11-10, v25.0 2027-02-23; v26.0 and v27.0 have no date yet.
- LinkedIn Marketing API (monthly ``YYYYMM`` versions, each supported at least a year):
  202510 2026-10-15, 202511 2026-11-16, 202601 2027-01-15, 202602 2027-02-15, 202603
  2027-03-16 from LinkedIn's migrations table; any other version is taken as retiring on
  the 15th of its month a year later (the pattern of that table).
- TikTok Marketing API v1.3 and X Ads API 12: no retirement announced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from cmis_shared.events import Platform


@dataclass(frozen=True)
class ApiVersion:
    """The version a connector speaks and the platform's announced end of life for it (None:
    none announced)."""

    platform: Platform
    version: str
    sunset_on: date | None


DEFAULT_API_VERSIONS: dict[Platform, str] = {
    Platform.GOOGLE: "v24",
    Platform.META: "v25.0",
    Platform.TIKTOK: "v1.3",
    Platform.LINKEDIN: "202607",
    Platform.TWITTER: "12",
}

KNOWN_SUNSETS: dict[Platform, dict[str, date]] = {
    Platform.GOOGLE: {
        "v19": date(2026, 2, 11),
        "v20": date(2026, 6, 10),
        "v21": date(2026, 8, 5),
        "v22": date(2026, 10, 7),
        "v23": date(2027, 2, 1),  # projected: February 2027
        "v24": date(2027, 5, 1),  # projected: May 2027
        "v25": date(2027, 8, 1),  # projected: August 2027
        "v26": date(2027, 11, 1),  # projected: November 2027
    },
    Platform.META: {
        "v22.0": date(2026, 2, 19),
        "v23.0": date(2026, 6, 9),
        "v24.0": date(2026, 11, 10),
        "v25.0": date(2027, 2, 23),
    },
    Platform.LINKEDIN: {
        "202510": date(2026, 10, 15),
        "202511": date(2026, 11, 16),
        "202601": date(2027, 1, 15),
        "202602": date(2027, 2, 15),
        "202603": date(2027, 3, 16),
    },
}

_MONTHLY = re.compile(r"(\d{4})(0[1-9]|1[0-2])")

Sunsets = Mapping[Platform, Mapping[str, date]]


def sunset_of(platform: Platform, version: str, overrides: Sunsets | None = None) -> date | None:
    """The announced end of life of ``version`` (a configured override first, then the table,
    then LinkedIn's one-year rule); None when none is known."""
    for table in ((overrides or {}).get(platform, {}), KNOWN_SUNSETS.get(platform, {})):
        if version in table:
            return table[version]
    if platform is Platform.LINKEDIN and (monthly := _MONTHLY.fullmatch(version)):
        return date(int(monthly[1]) + 1, int(monthly[2]), 15)
    return None
