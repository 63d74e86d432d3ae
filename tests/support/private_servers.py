"""Private PostgreSQL, RabbitMQ and Redis instances owned by one test session.

The fault suite stops, restarts, pauses and cuts servers. The machine's shared servers (port
5432, 5672, 6379) carry the other test tiers, the other engineers' runs and CI, so the suite
never touches them: it starts its own instances on free ports, in temporary directories, and
tears them down at the end. Each class offers start, stop, restart and wait-until-ready, so
later suites (a three-node RabbitMQ cluster) can reuse them.

Server binaries: Debian's PostgreSQL 15 (``/usr/lib/postgresql/15/bin``, run as ``postgres``),
``redis-server`` and RabbitMQ 3.10 (run as ``rabbitmq`` so it finds the machine's Erlang
cookie; controlled with ``rabbitmqctl -n <node>``). A server that cannot start raises
:class:`ServerStartError` with its log: the suite fails, it never skips.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from tests.support.ports import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class ServerStartError(RuntimeError):
    """A private server did not come up; the message carries its log."""


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def _wait(ready: Callable[[], bool], within: float, what: str, log: Callable[[], str]) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise ServerStartError(f"{what} not ready within {within} s:\n{log()[-3000:]}")


def _owned_dir(prefix: str, user: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.chown(path, user, user)
    path.chmod(0o700)
    return path


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else f"(no log at {path})"


class PrivatePostgres:
    """``initdb`` into a temporary directory and ``pg_ctl`` on its own port; trust auth."""

    def __init__(self) -> None:
        self.port = free_port()
        self.data_dir = _owned_dir("cmis-faults-pg-", "postgres")
        self.log_path = self.data_dir / "server.log"
        self._run("initdb", "-D", str(self.data_dir / "data"), "-A", "trust", "-U", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(PG_BIN / tool), *args]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.data_dir)
        if result.returncode != 0:
            raise ServerStartError(f"{tool} failed: {result.stderr}{result.stdout}")

    def _ctl(self, action: str, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        data = str(self.data_dir / "data")
        self._run("pg_ctl", action, "-D", data, "-o", options, "-l", str(self.log_path), *args)

    def start(self) -> None:
        self._ctl("start", "-w", "-t", "60")
        self.wait_ready()

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast", "-w", "-t", "60")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast", "-w", "-t", "60")
        self.wait_ready()

    def running(self) -> bool:
        return port_open(self.port)

    def wait_ready(self, within: float = 60) -> None:
        _wait(self.running, within, "PostgreSQL", lambda: _tail(self.log_path))

    def destroy(self) -> None:
        if (self.data_dir / "data" / "postmaster.pid").exists():
            self._ctl("stop", "-m", "immediate", "-w", "-t", "60")
        shutil.rmtree(self.data_dir, ignore_errors=True)


class PrivateRedis:
    """``redis-server`` in the foreground on its own port, without persistence, so a
    restart loses every key (what the fault wants)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cmis-faults-redis-"))
        self.log_path = self.dir / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.dir),
            "--logfile", str(self.log_path),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        self.wait_ready()

    def stop(self) -> None:
        self.resume()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        """Unreachable but not gone: connections hang as behind a dead network link."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)
            self.paused = True

    def resume(self) -> None:
        if self.process is not None and self.paused:
            self.process.send_signal(signal.SIGCONT)
            self.paused = False

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None and not self.paused

    def wait_ready(self, within: float = 30) -> None:
        _wait(
            lambda: self.running() and port_open(self.port),
            within,
            "Redis",
            lambda: _tail(self.log_path),
        )

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRabbit:
    """A second RabbitMQ node: its own node name, AMQP and distribution ports, mnesia and log
    directories, no plugins. It runs as the ``rabbitmq`` user, whose home holds the machine's
    Erlang cookie, so ``rabbitmqctl -n <node>`` reaches it; a cluster's nodes are given a
    private home with a cookie of their own (``home``)."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"cmis_faults_{os.getpid()}_{self.port}@localhost"
        self.dir = _owned_dir("cmis-faults-rabbit-", "rabbitmq")
        self.log_path = self.dir / "server.out"
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq.conf").write_text("loopback_users.guest = true\n")
        # The machine's env file names the shared node; ours keeps only the loopback binding.
        (self.dir / "rabbitmq-env.conf").write_text(
            "ERL_EPMD_ADDRESS=127.0.0.1\n"
            'export ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n'
        )
        for name in ("enabled_plugins", "rabbitmq.conf", "rabbitmq-env.conf"):
            shutil.chown(self.dir / name, "rabbitmq", "rabbitmq")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        env.update(
            HOME=str(self.home or "/var/lib/rabbitmq"),
            RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.dir / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.dir / "log"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.dir / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(self.dir / "rabbitmq.conf"),
            RABBITMQ_CONF_ENV_FILE=str(self.dir / "rabbitmq-env.conf"),
        )
        return env

    def ctl(self, *args: str, timeout: float = 120) -> str:
        """``rabbitmqctl`` in a session of its own: on timeout its whole tree is killed. Killing
        only ``runuser`` left the CLI's Erlang VM running, and a late ``stop`` from it once
        stopped the node that a restart had just brought back."""
        command = ["runuser", "-u", "rabbitmq", "--", "/usr/lib/rabbitmq/bin/rabbitmqctl"]
        process = subprocess.Popen(
            [*command, "-n", self.node, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self._env(),
            cwd=self.dir,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.communicate()
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: no answer in {timeout} s") from None
        if process.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {stderr}{stdout}")
        return stdout

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the node without waiting for it (``wait_ready`` does)."""
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it until it exits
        self.process = subprocess.Popen(
            ["runuser", "-u", "rabbitmq", "--", "/usr/lib/rabbitmq/bin/rabbitmq-server"],
            env=self._env(),
            cwd=self.dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the whole Erlang VM tree is stopped with the group
        )
        log.close()

    def stop(self) -> None:
        """SIGTERM to the node's process group: RabbitMQ stops gracefully on it, without a
        ``rabbitmqctl`` VM to boot (over a minute on a loaded host). SIGKILL if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 90
        # poll() reaps runuser, whose zombie would otherwise keep the group "alive".
        while (self.process.poll() is None or _group_alive(self.process.pid)) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.2)
        _kill_group(self.process.pid)
        self.process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, within: float = 120) -> None:
        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise ServerStartError(f"RabbitMQ node exited:\n{_tail(self.log_path)[-3000:]}")
            return port_open(self.port)

        _wait(ready, within, "RabbitMQ", lambda: _tail(self.log_path))

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRabbitCluster:
    """Three (``size``) RabbitMQ nodes on this machine joined into one cluster: each a
    :class:`PrivateRabbit` (own node name, AMQP and distribution ports, mnesia and log
    directories, no plugins, so no management or Prometheus ports), all with one private home
    holding a fresh Erlang cookie; nodes 2..n join node 1 with ``rabbitmqctl stop_app``,
    ``join_cluster``, ``start_app``. The machine's own broker and its cookie are never used."""

    def __init__(self, size: int = 3) -> None:
        self.home = _owned_dir("cmis-faults-rabbit-home-", "rabbitmq")
        cookie = self.home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20).upper())
        shutil.chown(cookie, "rabbitmq", "rabbitmq")
        cookie.chmod(0o400)
        self.nodes = [PrivateRabbit(home=self.home) for _ in range(size)]
        self.formed_in_seconds: float | None = None

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def launch(self) -> None:
        self._launched = time.monotonic()
        for node in self.nodes:
            node.launch()

    def wait_ready(self) -> None:
        """After :meth:`launch`: wait for every node, join them, wait until all run together."""
        for node in self.nodes:
            node.wait_ready()
        seed = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", seed.node)
            node.ctl("start_app")
        self.wait_members(len(self.nodes))
        self.formed_in_seconds = time.monotonic() - self._launched

    def running_nodes(self) -> list[str]:
        """The cluster's running members, as a running node sees them."""
        status = json.loads(self.any_running().ctl("cluster_status", "--formatter", "json"))
        return sorted(status.get("running_nodes", []))

    def wait_members(self, count: int, within: float = 120) -> None:
        _wait(
            lambda: len(self.running_nodes()) == count,
            within,
            f"{count} running cluster members",
            lambda: "\n".join(_tail(node.log_path)[-1000:] for node in self.nodes),
        )

    def any_running(self) -> PrivateRabbit:
        for node in self.nodes:
            if node.running():
                return node
        raise RuntimeError("no node of the cluster runs")

    def node_named(self, name: str) -> PrivateRabbit:
        return next(node for node in self.nodes if node.node == name)

    def leaders(self, queue_names: list[str]) -> dict[str, str]:
        """The node leading each of ``queue_names`` (quorum queues), as a running node says."""
        listing = self.any_running().ctl("list_queues", "name", "leader", "--formatter", "json")
        wanted = set(queue_names)
        return {row["name"]: row["leader"] for row in json.loads(listing) if row["name"] in wanted}

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def destroy(self) -> None:
        """Every node at once (each stop is a graceful Erlang shutdown of a few seconds)."""

        def destroy_node(node: PrivateRabbit) -> None:
            try:
                node.destroy()
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                print(f"teardown of {node.node} failed: {error}")

        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(destroy_node, self.nodes))
        shutil.rmtree(self.home, ignore_errors=True)


class _Broker(Protocol):
    def launch(self) -> None: ...
    def wait_ready(self) -> None: ...
    def destroy(self) -> None: ...


class PrivateServers:
    """The three private servers of a session: started together, torn down together."""

    def __init__(self) -> None:
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis()
        self.rabbit = PrivateRabbit()
        self.broker: _Broker = self.rabbit  # one node, or a cluster (ClusterServers)

    @property
    def rabbit_urls(self) -> str:
        """Every broker address, for ``CMIS_RABBIT_URLS`` (one server: empty)."""
        return ""

    def start(self) -> None:
        try:
            # The Erlang VM boots slowest (a minute on a loaded host): launched first, waited
            # for last, so PostgreSQL and Redis start meanwhile.
            self.broker.launch()
            self.postgres.start()
            self.redis.start()
            self.broker.wait_ready()
        except BaseException:
            self.destroy()
            raise

    def ensure_running(self) -> None:
        """After a fault: whatever the test did, the servers run again."""
        self.redis.resume()
        if not self.postgres.running():
            self.postgres.start()
        if not self.redis.running():
            self.redis.start()
        self.ensure_broker_running()

    def ensure_broker_running(self) -> None:
        if not self.rabbit.running():
            self.rabbit.start()

    def destroy(self) -> None:
        for server in (self.broker, self.redis, self.postgres):
            try:
                server.destroy()
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                print(f"teardown of {type(server).__name__} failed: {error}")


class ClusterServers(PrivateServers):
    """PostgreSQL, Redis and a three-node RabbitMQ cluster. ``rabbit`` is always a running
    node (what tests read the broker through); a node stopped by a test stays stopped until
    the test starts it again (:meth:`ensure_running` leaves the cluster alone)."""

    def __init__(self, size: int = 3) -> None:
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis()
        self.cluster = PrivateRabbitCluster(size)
        self.rabbit = self.cluster.nodes[0]
        self.broker = self.cluster

    @property
    def rabbit_urls(self) -> str:
        return ",".join(self.cluster.urls)

    def stop_node(self, node: PrivateRabbit) -> None:
        node.stop()
        self.rabbit = self.cluster.any_running()

    def start_node(self, node: PrivateRabbit) -> None:
        node.start()
        self.cluster.wait_members(len(self.cluster.nodes))

    def ensure_broker_running(self) -> None:
        """The cluster's nodes are the test's to stop and start."""
