"""Ports for the servers a test starts, picked now and bound later (often by another process).

A port the kernel hands out for ``bind(("127.0.0.1", 0))`` lies in the ephemeral range, the
range every outgoing connection also draws its local port from; closed again so a service can
bind it, it may be taken by any connection, or handed out once more to the other xdist
worker, before the service binds it. Ports below the ephemeral range are never handed out by
the kernel: each xdist worker picks from a share of its own there, at random (other runs on
the same machine), never twice in one process, and only a port that can be bound now.
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

# Below the ephemeral range (Linux's default starts at 32768): the band the ports come from.
BAND_WIDTH = 12_000
_given: set[int] = set()


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _worker_share() -> range:
    """This xdist worker's share of the band below the ephemeral range (empty when that
    range starts too low to leave a band)."""
    top = _ephemeral_start()
    bottom = max(top - BAND_WIDTH, 10_000)
    if bottom >= top:
        return range(0)
    workers = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), 1)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    width = (top - bottom) // workers
    start = bottom + (worker % workers) * width
    return range(start, start + width)


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _kernel_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port() -> int:
    """A port nothing listens on, which no other caller in this run is given."""
    share = _worker_share()
    if not share:
        return _kernel_port()
    for port in random.sample(share, k=min(len(share), 200)):
        if port not in _given and _bindable(port):
            _given.add(port)
            return port
    raise RuntimeError(f"no free port in {share}")
