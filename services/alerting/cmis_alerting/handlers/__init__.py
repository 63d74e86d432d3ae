"""Alerting's use cases: one module per role. Event handlers (``events``), and the handlers
of timer ticks (``token_expiry``, ``dead_letters``, ``retention``); all share
``recording.record`` to apply observations to the stored alerts; users' commands
(``user_commands``)."""

from cmis_alerting.handlers.dead_letters import DeadLetterCheck
from cmis_alerting.handlers.events import CONSUMER, EventHandlers
from cmis_alerting.handlers.retention import HistoryRetention
from cmis_alerting.handlers.token_expiry import TokenExpiryCheck
from cmis_alerting.handlers.user_commands import AlertCommands

__all__ = [
    "CONSUMER",
    "AlertCommands",
    "DeadLetterCheck",
    "EventHandlers",
    "HistoryRetention",
    "TokenExpiryCheck",
]
