"""The simulator's steady series and its anomaly injection, as pure functions of the dataset."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest

from cmis_platform_sim.anomalies import AnomalyBook, parse_anomaly
from cmis_platform_sim.dataset import DailyMetric, Dataset, Size

pytestmark = pytest.mark.unit

END = date(2025, 3, 31)
DAY = END - timedelta(days=1)


def dataset() -> Dataset:
    return Dataset(7, Size(accounts=1, campaigns=6, days=40, posts=0, series="steady"), END)


def rows_of(ds: Dataset, platform: str, campaign: str) -> dict[date, DailyMetric]:
    account = ds.account_ids(platform)[0]
    return {
        r.day: r
        for r in ds.daily_metrics(platform, account, ds.start_date, END)
        if r.campaign_external_id == campaign
    }


def test_a_steady_series_varies_moderately_day_to_day() -> None:
    ds = dataset()
    account = ds.account_ids("meta")[0]
    for campaign in ds.campaigns("meta", account):
        spend = [float(r.spend) for r in rows_of(ds, "meta", campaign.external_id).values()]
        if statistics.median(spend) > 0:
            # The noisy series' spread is above 100 %; a steady one stays within ~30 %.
            assert statistics.pstdev(spend) / statistics.mean(spend) < 0.3, campaign


def test_a_spike_multiplies_the_days_delivery_and_nothing_else() -> None:
    ds = dataset()
    account = ds.account_ids("google")[0]
    campaign = ds.campaigns("google", account)[0].external_id
    before = rows_of(ds, "google", campaign)
    ds.anomalies.add(parse_anomaly({
        "kind": "spike", "platform": "google", "account": account, "campaign": campaign,
        "day": DAY.isoformat(),
    }))  # fmt: skip
    after = rows_of(ds, "google", campaign)
    assert after[DAY].spend_minor == before[DAY].spend_minor * 4
    assert after[DAY].impressions == before[DAY].impressions * 4
    assert after[DAY].conversions == before[DAY].conversions * 4
    assert {d: r for d, r in after.items() if d != DAY} == {
        d: r for d, r in before.items() if d != DAY
    }


def test_a_drop_and_a_stop() -> None:
    ds = dataset()
    account = ds.account_ids("meta")[0]
    campaign = ds.campaigns("meta", account)[1].external_id
    before = rows_of(ds, "meta", campaign)[DAY]
    book_id = ds.anomalies.add(parse_anomaly({
        "kind": "drop", "platform": "meta", "account": account, "campaign": campaign,
        "day": DAY.isoformat(), "metrics": ["conversions"], "factor": 0.5,
    })).id  # fmt: skip
    dropped = rows_of(ds, "meta", campaign)[DAY]
    assert dropped.conversions == round(before.conversions / 2)
    assert (dropped.spend_minor, dropped.clicks) == (before.spend_minor, before.clicks)
    ds.anomalies.clear(book_id)
    ds.anomalies.add(parse_anomaly({
        "kind": "stop", "platform": "meta", "account": account, "campaign": campaign,
        "day": DAY.isoformat(),
    }))  # fmt: skip
    stopped = rows_of(ds, "meta", campaign)[DAY]
    assert (stopped.impressions, stopped.clicks, stopped.spend_minor, stopped.conversions) == (
        0, 0, 0, 0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"kind": "boom"}, "unknown anomaly kind"),
        ({"kind": "spike", "platform": "meta"}, "missing anomaly fields"),
        ({"kind": "spike", "platform": "meta", "account": "1", "campaign": "2",
          "day": "2025-03-30", "metrics": ["likes"]}, "unknown metrics"),
        ({"kind": "drop", "colour": "red"}, "unknown anomaly fields"),
    ],
)  # fmt: skip
def test_bad_specs_are_refused_with_a_reason(spec: dict[str, object], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_anomaly(spec)


def test_the_book_lists_and_clears_anomalies() -> None:
    book = AnomalyBook()
    spec = {
        "kind": "stop",
        "platform": "meta",
        "account": "1",
        "campaign": "2",
        "day": "2025-03-30",
    }
    first, second = (
        book.add(parse_anomaly(spec)),
        book.add(parse_anomaly({**spec, "campaign": "3"})),
    )
    assert [a.id for a in book.all()] == [first.id, second.id]
    book.clear(first.id)
    assert book.all() == [second] and book
    book.clear()
    assert not book
