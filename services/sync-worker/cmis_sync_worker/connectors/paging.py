"""The page loop every connector shares: read pages until the platform says there is no
next one, and stop with :class:`InvalidResponse` when it never says so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from cmis_shared.events import Platform

from .transport import guard_pages

Item = TypeVar("Item")
Cursor = TypeVar("Cursor")

# Reads one page from a cursor (None for the first page): its items and the next cursor,
# None when this page was the last (or the caller has seen enough).
PageReader = Callable[[Cursor | None], Awaitable[tuple[list[Item], Cursor | None]]]


async def collect_pages(
    platform: Platform, max_pages: int, read_page: PageReader[Cursor, Item]
) -> list[Item]:
    items: list[Item] = []
    cursor: Cursor | None = None
    pages = 0
    while True:
        guard_pages(platform, pages, max_pages)
        batch, cursor = await read_page(cursor)
        items.extend(batch)
        pages += 1
        if cursor is None:
            return items
