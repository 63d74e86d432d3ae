"""Kept for ``admin_cli.py`` and scripts: the operations live in adapters/admin.py."""

from cmis_dashboard_api.adapters.admin import *  # noqa: F403
