"""One-line dependencies for the long-lived things the lifespan built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from teacher.core import Teacher
from teacher.settings import TeacherSettings


def get_teacher(request: Request) -> Teacher:
    return request.app.state.teacher


def get_app_settings(request: Request) -> TeacherSettings:
    return request.app.state.settings


TeacherDep = Annotated[Teacher, Depends(get_teacher)]
SettingsDep = Annotated[TeacherSettings, Depends(get_app_settings)]
