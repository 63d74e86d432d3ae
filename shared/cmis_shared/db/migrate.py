"""Apply or roll back the schema: ``cmis-migrate upgrade head`` / ``cmis-migrate downgrade base``.

Alembic's env runs its own event loop, so call these from synchronous code (or a thread).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from cmis_shared.settings import CmisSettings, load_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def main() -> None:
    parser = argparse.ArgumentParser(prog="cmis-migrate", description=__doc__)
    parser.add_argument("action", choices=["upgrade", "downgrade"])
    parser.add_argument("revision", nargs="?", help="default: head for upgrade, base for downgrade")
    args = parser.parse_args()
    settings = load_settings(CmisSettings)
    if args.action == "upgrade":
        upgrade(settings.database_url, args.revision or "head")
    else:
        downgrade(settings.database_url, args.revision or "base")
