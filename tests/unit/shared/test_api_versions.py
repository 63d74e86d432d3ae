"""The API version table: announced dates, configured overrides first, LinkedIn's one-year
rule for monthly versions not in the table, and no date where none is announced."""

from __future__ import annotations

from datetime import date

from cmis_shared.api_versions import DEFAULT_API_VERSIONS, KNOWN_SUNSETS, sunset_of
from cmis_shared.events import Platform


def test_announced_dates_come_from_the_table() -> None:
    assert sunset_of(Platform.GOOGLE, "v21") == date(2026, 8, 5)
    assert sunset_of(Platform.META, "v25.0") == date(2027, 2, 23)
    assert sunset_of(Platform.LINKEDIN, "202511") == date(2026, 11, 16)


def test_an_override_wins_and_unknown_versions_have_no_date() -> None:
    overrides = {Platform.META: {"v26.0": date(2027, 9, 1), "v25.0": date(2027, 3, 1)}}
    assert sunset_of(Platform.META, "v26.0", overrides) == date(2027, 9, 1)
    assert sunset_of(Platform.META, "v25.0", overrides) == date(2027, 3, 1)
    assert sunset_of(Platform.META, "v26.0") is None
    assert sunset_of(Platform.TIKTOK, "v1.3") is None
    assert sunset_of(Platform.TWITTER, "12") is None


def test_linkedin_monthly_versions_retire_a_year_later() -> None:
    assert sunset_of(Platform.LINKEDIN, "202607") == date(2027, 7, 15)
    assert sunset_of(Platform.LINKEDIN, "202612") == date(2027, 12, 15)
    assert sunset_of(Platform.LINKEDIN, "2026-07") is None
    assert sunset_of(Platform.LINKEDIN, "202613") is None


def test_every_default_version_is_known_to_be_supported_today() -> None:
    """The defaults are versions that had not been retired when the table was checked."""
    checked = date(2026, 11, 30)
    for platform, version in DEFAULT_API_VERSIONS.items():
        sunset = sunset_of(platform, version)
        assert sunset is None or sunset > checked, (platform, version, sunset)
    assert set(KNOWN_SUNSETS) <= set(Platform)
