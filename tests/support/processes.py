"""Service processes for end-to-end tests: start a console script with an isolated
environment, wait until it is ready, stop it with SIGTERM (or SIGKILL when a test wants a
crash), and keep its log for the failure message."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from cmis_shared.settings import CmisSettings


def service_env(settings: CmisSettings, **extra: str) -> dict[str, str]:
    """The environment that makes a service process use the test's isolated servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMIS_")}
    env.update(
        CMIS_ENVIRONMENT="test",
        CMIS_DATABASE_URL=settings.database_url,
        CMIS_RABBIT_URL=settings.rabbit_url,
        CMIS_RABBIT_URLS=settings.rabbit_urls,
        CMIS_REDIS_URL=settings.redis_url,
        CMIS_NAMESPACE=settings.namespace,
        CMIS_OUTBOX_POLL_SECONDS="0.2",
        CMIS_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


class ServiceProcess:
    def __init__(
        self, name: str, command: list[str], env: Mapping[str, str], log_dir: Path
    ) -> None:
        self.name = name
        self.command = command
        self.env = dict(env)
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it until it exits
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until(self, ready: Callable[[], bool], within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_text()[-3000:]}")
            if ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready within {within} s:\n{self.log_text()[-3000:]}")

    def wait_for_log(self, fragment: str, within: float = 30.0) -> None:
        self.wait_until(lambda: fragment in self.log_text(), within)

    def terminate(self, within: float = 20.0) -> int:
        """SIGTERM and wait; returns the exit code (kills it if it does not stop in time)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"{self.name} ignored SIGTERM:\n{self.log_text()[-3000:]}") from None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
