"""``cmis-platform-sim``: serve the simulated platform APIs on one port.

DEVELOPMENT AND TEST TOOL ONLY: never deploy it. Example:
``cmis-platform-sim --host 127.0.0.1 --port 8900 --seed 42 --latency-ms 0``
"""

from __future__ import annotations

from collections.abc import Sequence

import uvicorn

from .server import SimServer
from .settings import SimSettings, parse_settings


def create_app(settings: SimSettings | None = None) -> SimServer:
    return SimServer(settings or SimSettings())


def main(argv: Sequence[str] | None = None) -> None:
    settings = parse_settings(argv)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=1,
    )


if __name__ == "__main__":
    main()
