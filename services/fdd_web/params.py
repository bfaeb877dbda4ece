"""Integer ids in paths and cursors, bounded to the database's integer columns.

The services' primary keys are ``INTEGER`` (32-bit) on Postgres: an id beyond it is not "not found" there
but a database error ("integer out of range", a 500). ``Id`` and ``CursorValue`` refuse such values as
a 422 naming the parameter before any query runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

INT32_MAX = 2**31 - 1

Id = Annotated[int, Path(ge=0, le=INT32_MAX)]
CursorValue = Annotated[
    int | None, Query(ge=0, le=INT32_MAX, description="next_cursor of the previous page.")
]
