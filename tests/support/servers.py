"""Where the test servers are, and a clear failure when one is down.

The suite talks to real PostgreSQL, RabbitMQ and Redis: by default the ones on localhost
(this project's machines run them), overridable with CMIS_TEST_POSTGRES_URL,
CMIS_TEST_RABBIT_URL and CMIS_TEST_REDIS_URL. Where none answers on localhost but a Docker
engine does, testcontainers starts them. A missing server fails the tests that need it with
a message saying which and how to start it; it never skips them.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

START_HINTS = {
    "postgres": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "rabbitmq": "rabbitmq-server -detached",
    "redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""',
}


@dataclass(frozen=True)
class ServerUrls:
    postgres: str  # SQLAlchemy URL of the maintenance database
    rabbit: str
    redis: str


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no Docker engine here"
        return False


def _from_containers(missing: list[str]) -> dict[str, str]:  # pragma: no cover - needs Docker
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer
    from testcontainers.redis import RedisContainer

    urls: dict[str, str] = {}
    if "postgres" in missing:
        pg = PostgresContainer("postgres:15", driver="asyncpg").start()
        urls["postgres"] = pg.get_connection_url()
    if "rabbitmq" in missing:
        rabbit = RabbitMqContainer("rabbitmq:3.10-management").start()
        params = rabbit.get_connection_params()
        urls["rabbit"] = f"amqp://guest:guest@{params.host}:{params.port}/"
    if "redis" in missing:
        redis = RedisContainer("redis:7").start()
        host, port = redis.get_container_host_ip(), redis.get_exposed_port(6379)
        urls["redis"] = f"redis://{host}:{port}/0"
    return urls


def discover() -> ServerUrls:
    urls = {
        "postgres": os.environ.get(
            "CMIS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
        "rabbit": os.environ.get("CMIS_TEST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        "redis": os.environ.get("CMIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    missing = [
        name
        for name, key, port in (
            ("postgres", "postgres", 5432),
            ("rabbitmq", "rabbit", 5672),
            ("redis", "redis", 6379),
        )
        if not _reachable(urls[key], port)
    ]
    if missing and _docker_answers():
        urls.update(_from_containers(missing))
        missing = []
    if missing:
        hints = "; ".join(
            f"{name} is not reachable (start it: {START_HINTS[name]})" for name in missing
        )
        pytest.fail(f"test servers missing: {hints}", pytrace=False)
    return ServerUrls(urls["postgres"], urls["rabbit"], urls["redis"])
