"""A small synchronous client of the orchestrator's admin API, for the CLI and the experiments.

It returns plain JSON (dicts and lists): the CLI renders them and the report reads them, so neither
depends on the orchestrator's server-side models. Errors keep the server's envelope message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx


class OrchestratorError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class OrchestratorClient:
    def __init__(self, base_url: str, token: str, timeout: float = 60.0) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OrchestratorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:500]
            raise OrchestratorError(response.status_code, message)
        return response.json() if response.content else None

    def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return self._json(self.http.get(path, params=clean))

    def post(self, path: str, body: Any = None) -> Any:
        return self._json(self.http.post(path, json=body))

    # -- resources -------------------------------------------------------------------------------------
    def create_dataset(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.post("/v1/datasets", body)

    def datasets(self) -> Any:
        return self.get("/v1/datasets")

    def create_run(self, config: dict[str, Any]) -> dict[str, Any]:
        return self.post("/v1/runs", config)

    def runs(self) -> Any:
        return self.get("/v1/runs")

    def run(self, run_id: int) -> dict[str, Any]:
        return self.get(f"/v1/runs/{run_id}")

    def round(self, run_id: int, index: int) -> dict[str, Any]:
        return self.get(f"/v1/runs/{run_id}/rounds/{index}")

    def action(self, run_id: int, verb: str) -> dict[str, Any]:
        return self.post(f"/v1/runs/{run_id}/{verb}")

    def rejections(self, run_id: int, **params: Any) -> Any:
        return self.get(f"/v1/runs/{run_id}/rejections", **params)

    def problems(self, run_id: int, **params: Any) -> Any:
        return self.get(f"/v1/runs/{run_id}/problems", **params)

    def iter_pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a keyset-paginated listing (``items`` + ``next_cursor``)."""
        cursor = None
        while True:
            page = self.get(path, limit=1000, cursor=cursor, **params)
            yield from page["items"]
            cursor = page.get("next_cursor")
            if cursor is None:
                return

    def export_lines(self, run_id: int, round_index: int | None = None) -> Iterator[str]:
        params = {"round": round_index} if round_index is not None else {}
        with self.http.stream("GET", f"/v1/runs/{run_id}/export", params=params) as response:
            if response.status_code >= 400:
                response.read()
                self._json(response)
            yield from response.iter_lines()
