"""What every service's ``main()`` does before it runs: build its settings or exit with a
message that names the variable at fault (never a traceback)."""

from __future__ import annotations

import sys

from cmis_shared.settings import SettingsError, SettingsT, load_settings


def settings_or_exit(settings_class: type[SettingsT], program: str) -> SettingsT:
    try:
        return load_settings(settings_class)
    except SettingsError as error:
        sys.exit(f"{program}: {error}")
