"""The external binaries these tests run. A missing one fails the test (never skips) with the
command that installs it: scripts/bootstrap.sh does so on a fresh machine."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(tool: str, *args: str, cwd: Path | None = None) -> str:
    binary = shutil.which(tool)
    assert binary, f"{tool} is missing: run scripts/bootstrap.sh (installs Debian's package)"
    result = subprocess.run(
        [binary, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{tool} {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout
