"""Asynchronous report jobs (Meta's insights report runs): started by one call, polled until
done, then read. DEVELOPMENT AND TEST TOOL ONLY.

A job finishes on its second poll ("Job Running" at 50 %, then "Job Completed" at 100 %). A
job started while a ``report_failed`` fault is active ends in "Job Failed" instead; one started
under ``report_stuck`` stays "Job Running" forever (a client's poll deadline must end it).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

POLLS_TO_FINISH = 2
FIRST_ID = 6_053_000_000_000


@dataclass
class ReportJob:
    id: str
    account: str
    since: date
    until: date
    fault: str | None = None  # "report_failed" | "report_stuck"
    polls: int = 0

    def poll(self) -> tuple[str, int]:
        """The job's status and percent complete, one poll further on."""
        self.polls += 1
        if self.fault == "report_stuck" or self.polls < POLLS_TO_FINISH:
            return "Job Running", 50
        if self.fault == "report_failed":
            return "Job Failed", 50
        return "Job Completed", 100

    @property
    def completed(self) -> bool:
        return self.fault is None and self.polls >= POLLS_TO_FINISH


@dataclass
class ReportBook:
    _jobs: dict[str, ReportJob] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(FIRST_ID))

    def start(self, account: str, since: date, until: date, fault: str | None) -> ReportJob:
        job = ReportJob(str(next(self._ids)), account, since, until, fault)
        self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> ReportJob | None:
        return self._jobs.get(job_id)
