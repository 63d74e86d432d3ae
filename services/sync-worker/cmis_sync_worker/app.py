"""The sync-worker process entry: settings, telemetry, then the worker built by
:mod:`cmis_sync_worker.bootstrap` runs until SIGTERM."""

from __future__ import annotations

from cmis_shared.entrypoint import settings_or_exit
from cmis_shared.runtime import serve
from cmis_shared.telemetry import start_process_telemetry
from cmis_sync_worker.bootstrap import SyncWorker
from cmis_sync_worker.settings import SyncWorkerSettings

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is in the workspace lock (uvicorn[standard])
    uvloop = None  # type: ignore[assignment]


def main() -> None:
    settings = settings_or_exit(SyncWorkerSettings, "cmis-sync-worker")
    app = SyncWorker(settings, start_process_telemetry(settings)).app()
    if uvloop is None:
        serve(app)
    else:
        # The worker is CPU-bound on its event loop (one socket write and read per database,
        # Redis, broker and HTTP round trip): uvloop cuts ~10 % CPU per sync.
        uvloop.run(app.run())
