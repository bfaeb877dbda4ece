"""Keyset pagination shared by the listing endpoints: ``limit`` and an opaque ``cursor`` (the last id)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from fdd_web.params import CursorValue

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
Cursor = CursorValue  # bounded to the 32-bit id columns: a larger cursor is a 422, not a database error


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: int | None = None


def page_of(items: list[T], ids: list[int], limit: int) -> Page[T]:
    """A page from up to ``limit + 1`` fetched items: the extra one only says that there is a next page."""
    if len(items) > limit:
        return Page(items=items[:limit], next_cursor=ids[limit - 1])
    return Page(items=items, next_cursor=None)
