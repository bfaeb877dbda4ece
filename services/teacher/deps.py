"""One-line dependencies for the long-lived things the lifespan built.

They are ``async def`` although they do not await: FastAPI runs a plain ``def`` dependency in its thread
pool, a thread hop per request that cost a cache hit more than the lookup itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from teacher.core import Teacher
from teacher.settings import TeacherSettings


async def get_teacher(request: Request) -> Teacher:
    return request.app.state.teacher


async def get_app_settings(request: Request) -> TeacherSettings:
    return request.app.state.settings


TeacherDep = Annotated[Teacher, Depends(get_teacher)]
SettingsDep = Annotated[TeacherSettings, Depends(get_app_settings)]
