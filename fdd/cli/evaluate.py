"""``fdd eval``: evaluate a student checkpoint on a benchmark through the student API (an evaluate job)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from rich.console import Console

from fdd.clients.student import StudentClient
from fdd.wire.student import EvaluateParams, JobCreate, JobRead


def run_evaluation(
    url: str, checkpoint: str, benchmark: str, limit: int | None, console: Console
) -> dict[str, Any]:
    async def go() -> JobRead:
        client = StudentClient(url)
        try:
            job = await client.create_job(
                JobCreate(
                    id=f"eval-{uuid.uuid4().hex[:12]}",
                    params=EvaluateParams(checkpoint=checkpoint, benchmark=benchmark, limit=limit),
                )
            )
            console.print(f"evaluate job {job.id} queued")
            return await client.wait_job(job.id, poll_s=1.0, timeout=24 * 3600)
        finally:
            await client.aclose()

    job = asyncio.run(go())
    if job.status != "succeeded":
        raise SystemExit(f"evaluation {job.status}: {job.error}")
    return {k: v for k, v in (job.result or {}).items() if k != "items"}
