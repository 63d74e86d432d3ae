#!/usr/bin/env bash
# Start PostgreSQL, RabbitMQ or Redis on localhost if one is down (machines of this project
# run all three; this only revives a stopped one). Uses the same commands the machine notes give.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # name port seconds
  for _ in $(seq 1 "$3"); do port_open "$2" && return 0; sleep 1; done
  echo "error: $1 did not come up on 127.0.0.1:$2" >&2
  return 1
}

status=0
if ! port_open 5432; then
  echo "PostgreSQL is down; starting it" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_for PostgreSQL 5432 60 || status=1
fi
if ! port_open 6379; then
  echo "Redis is down; starting it" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for Redis 6379 30 || status=1
fi
if ! port_open 5672; then
  echo "RabbitMQ is down; starting it" >&2
  rabbitmq-server -detached || true
  wait_for RabbitMQ 5672 120 || status=1
fi
exit $status
