#!/usr/bin/env bash
# Install everything CMIS needs into .venv from the hash-pinned lock, on a fresh machine too.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

if [ ! -x .venv/bin/python ]; then
  uv venv --quiet --python python3 .venv
fi
uv pip install --quiet --python .venv/bin/python --require-hashes -r requirements.lock
uv pip install --quiet --python .venv/bin/python --no-deps \
  -e shared -e services/scheduler -e services/sync-worker -e services/alerting \
  -e services/dashboard-api -e services/platform-sim

# wrk drives the HTTP benchmarks (a separate load-generating process).
if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) \
    || echo "warning: could not install wrk; the dashboard benchmark and its smoke test need it" >&2
fi
