"""Whether a due retry entry still stands for its run."""

from __future__ import annotations


def retry_is_current(run_status: str, run_attempt: int, retry_attempt: int) -> bool:
    """The run is still waiting for exactly this retry. Anything else (it succeeded, failed
    for good, or a later attempt already went out) makes the entry stale: events arrive out
    of order and more than once, so the run row decides, not the entry."""
    return run_status == "retrying" and run_attempt < retry_attempt
