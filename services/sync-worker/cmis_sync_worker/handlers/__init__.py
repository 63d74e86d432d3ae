"""The worker's use cases: one ``sync.requested`` in, data stored and one outcome out.

``handlers.py`` runs the request (begin, fetch, finish), ``fetching.py`` reads a platform
account, ``finishing.py`` writes the ends of an attempt."""

from cmis_sync_worker.handlers.handlers import SyncConfig, SyncRequestHandler

__all__ = ["SyncConfig", "SyncRequestHandler"]
