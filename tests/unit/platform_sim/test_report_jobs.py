"""The simulator's asynchronous report jobs and the faults that shape them."""

from __future__ import annotations

from datetime import date

import pytest

from cmis_platform_sim.faults import Call, FaultBook
from cmis_platform_sim.reports import ReportBook

pytestmark = pytest.mark.unit

DAY = date(2025, 3, 1)


def test_a_job_runs_then_completes_on_its_second_poll() -> None:
    job = ReportBook().start("123", DAY, DAY, fault=None)
    assert job.poll() == ("Job Running", 50) and not job.completed
    assert job.poll() == ("Job Completed", 100) and job.completed


def test_a_failed_job_fails_and_a_stuck_job_never_finishes() -> None:
    book = ReportBook()
    failed, stuck = (
        book.start("1", DAY, DAY, "report_failed"),
        book.start("1", DAY, DAY, "report_stuck"),
    )
    assert [failed.poll()[0] for _ in range(3)] == ["Job Running", "Job Failed", "Job Failed"]
    assert {stuck.poll()[0] for _ in range(20)} == {"Job Running"}
    assert not failed.completed and not stuck.completed
    assert failed.id != stuck.id and book.get(failed.id) is failed


def test_report_faults_are_taken_only_by_a_report_jobs_creation() -> None:
    faults = FaultBook()
    faults.add({"kind": "report_failed", "platform": "meta", "times": 1})
    path = "/meta/v23.0/act_1/insights"
    assert faults.take(Call("meta", "1", path)) is None  # a synchronous insights call
    taken = faults.take(Call("meta", "1", path, report_job=True))
    assert taken is not None and taken.kind == "report_failed"
    assert faults.take(Call("meta", "1", path, report_job=True)) is None  # times: 1


def test_other_faults_still_hit_a_report_jobs_creation() -> None:
    faults = FaultBook()
    faults.add({"kind": "rate_limit", "platform": "meta"})
    taken = faults.take(Call("meta", "1", "/meta/v23.0/act_1/insights", report_job=True))
    assert taken is not None and taken.kind == "rate_limit"
