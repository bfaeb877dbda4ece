"""A small synchronous client of the orchestrator's admin API, for the CLI and the experiments.

It returns plain JSON (dicts and lists): the CLI renders them and the report reads them, so neither
depends on the orchestrator's server-side models. Every failure is an ``OrchestratorError`` whose
message is fit to show a person: the server's envelope message for a 4xx/5xx (with what to do for a
401), and "cannot reach the orchestrator at URL" (status None) when nothing answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

HINTS = {401: "set FDD_CLI_TOKEN to the orchestrator's FDD_ORCHESTRATOR_ADMIN_TOKEN"}


class OrchestratorError(Exception):
    """A refused request (``status`` the HTTP status) or an orchestrator that did not answer (None)."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message


def _transport_error(base_url: str, exc: httpx.TransportError) -> OrchestratorError:
    if isinstance(exc, httpx.TimeoutException):
        return OrchestratorError(None, f"the orchestrator at {base_url} did not answer in time ({exc!r})")
    return OrchestratorError(
        None, f"cannot reach the orchestrator at {base_url}: start it with `fdd up` or set FDD_CLI_URL"
    )


class OrchestratorClient:
    def __init__(self, base_url: str, token: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
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
                message = response.text[:500] or response.reason_phrase
            hint = HINTS.get(response.status_code)
            raise OrchestratorError(response.status_code, f"{message} ({hint})" if hint else message)
        return response.json() if response.content else None

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise _transport_error(self.base_url, exc) from exc
        return self._json(response)

    def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return self._request("GET", path, params=clean)

    def post(self, path: str, body: Any = None) -> Any:
        return self._request("POST", path, json=body)

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
        with self._stream("GET", f"/v1/runs/{run_id}/export", params=params) as response:
            if response.status_code >= 400:
                response.read()
                self._json(response)
            yield from response.iter_lines()

    @contextmanager
    def _stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        try:
            with self.http.stream(method, path, **kwargs) as response:
                yield response
        except httpx.TransportError as exc:
            raise _transport_error(self.base_url, exc) from exc
