"""The notifier's use cases, one role per module: alert events into the grouping buffer
(``alerts``), due groups into notifications (``flush``), notifications out to their channels
(``delivery``), old finished notifications out of the tables (``retention``)."""

from cmis_notifier.handlers.alerts import CONSUMER, AlertHandlers
from cmis_notifier.handlers.delivery import DeliveryLoop
from cmis_notifier.handlers.flush import GroupFlush
from cmis_notifier.handlers.retention import DeliveryRetention

__all__ = ["CONSUMER", "AlertHandlers", "DeliveryLoop", "DeliveryRetention", "GroupFlush"]
