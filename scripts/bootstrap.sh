#!/usr/bin/env bash
# Install everything CMIS needs into .venv from the hash-pinned lock, on a fresh machine too.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
# Through `python3 -m uv`: a console script that pip just installed may not be on PATH yet
# (pyenv, for one, only adds its shim after a rehash).
uv() { python3 -m uv "$@"; }
if [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

if [ ! -x .venv/bin/python ]; then
  uv venv --quiet --python python3 .venv
fi
uv pip install --quiet --python .venv/bin/python --require-hashes -r requirements.lock
uv pip install --quiet --python .venv/bin/python --no-deps \
  -e shared -e services/scheduler -e services/sync-worker -e services/alerting -e services/notifier \
  -e services/dashboard-api -e services/platform-sim
# Bytecode compiled once here (compileall skips what is up to date): machines of this kind
# set PYTHONDONTWRITEBYTECODE, and without .pyc files every service process the tests start
# compiles all its imports from source again, seconds of CPU each.
.venv/bin/python -m compileall -q -j 0 \
  "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
  shared services tests scripts >/dev/null

# Debian packages the tests run as separate programs: wrk drives the HTTP benchmarks, kubectl
# renders the Kustomize overlays (tests/integration/deploy), promtool (package prometheus)
# checks and unit-tests the alert rules. The tests fail, never skip, without them.
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null) \
    || echo "warning: could not install ${missing[*]}; the tests that run them will fail" >&2
fi
