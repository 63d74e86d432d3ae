"""Failures of the alert lifecycle that the handlers act on, whatever store raised them."""

from __future__ import annotations


class AlertOpenedConcurrently(Exception):
    """Another writer opened the alert for this key after this transaction looked for it: the
    one-open-alert rule refused the second. Handled again, the work finds and updates it."""
