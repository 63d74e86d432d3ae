#!/usr/bin/env bash
# Re-resolve dependencies after a pyproject change and re-export the hash-pinned lock.
# uv.lock stays out of git (it records registry addresses); requirements.lock is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
uv lock -q
uv export --all-packages --frozen --all-groups --no-emit-workspace -q -o requirements.lock
uv pip install -q --python .venv/bin/python -r requirements.lock
