"""Alert rules and the alert lifecycle: pure functions of facts, thresholds and ``now``.

Rules turn facts (events, table rows) into observations ("this condition holds, or is clear,
at this time"); ``lifecycle.decide`` turns an observation and the stored alert into a
decision (raise, escalate, update, touch, resolve) and ``announce`` into the event it
publishes. Nothing here does I/O.
"""
