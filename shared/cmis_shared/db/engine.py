"""Engine and session factory: one pool per process, built from settings at start-up."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from cmis_shared.settings import CmisSettings


def create_engine(settings: CmisSettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=settings.database_pool_pre_ping,
        pool_recycle=settings.database_pool_recycle_seconds,
        connect_args=asyncpg_connect_args(settings),
    )


def asyncpg_connect_args(settings: CmisSettings) -> dict[str, object]:
    """Timeouts and the application name for every asyncpg connection (the SQLAlchemy pool's
    and asyncpg's own pools): no statement, connect or idle transaction waits forever."""
    statement_ms = int(settings.database_statement_timeout_seconds * 1000)
    idle_ms = int(settings.database_idle_in_transaction_timeout_seconds * 1000)
    return {
        "timeout": settings.database_connect_timeout_seconds,
        # The client waits a little longer than the server, so the server's cancel (a clear
        # error) normally wins over a client-side timeout.
        "command_timeout": settings.database_statement_timeout_seconds + 5,
        "server_settings": {
            "application_name": settings.service_name,
            "statement_timeout": str(statement_ms),
            "idle_in_transaction_session_timeout": str(idle_ms),
        },
    }


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def asyncpg_dsn(database_url: str) -> str:
    """The plain ``postgresql://`` DSN asyncpg itself takes (for LISTEN and COPY)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
