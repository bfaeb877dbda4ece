"""The local stack: teacher, student API, student workers and orchestrator as local processes.

``fdd up`` and ``fdd demo`` use it. Each service is started from its console entry point with the
embedded defaults (SQLite files, a filesystem Celery transport under the state directory) unless
database or Redis URLs are configured, waits until ``/readyz`` answers, and is stopped with its process
group — on normal exit, on Ctrl-C and on SIGTERM alike. A service that exits during start-up, or
later while ``wait`` watches, is a ``StackError`` naming it, its exit code and the last line of its log.

Each start generates a fresh service token (``FDD_SERVICE_TOKEN``, unless the config names one), passes
it to every service and writes it to ``<state_dir>/service-token`` (mode 0600, removed at stop) so that
``fdd eval`` and ``fdd checkpoints`` in another shell can reach the student.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

BIN = Path(sys.executable).parent


@dataclass
class StackConfig:
    state_dir: Path
    data_dir: Path | None = None
    host: str = "127.0.0.1"
    orchestrator_port: int = 8000
    teacher_port: int = 8001
    student_port: int = 8002
    workers: int = 2  # two 1-thread workers beat one 2-thread one for the tiny model (docs/architecture.md)
    worker_threads: int = 1
    admin_token: str = "dev-token"
    service_token: str | None = None  # None: a fresh one per start (secrets.token_urlsafe)
    orchestrator_database_url: str | None = None
    teacher_database_url: str | None = None
    student_database_url: str | None = None
    redis_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def orchestrator_url(self) -> str:
        return f"http://{self.host}:{self.orchestrator_port}"

    @property
    def teacher_url(self) -> str:
        return f"http://{self.host}:{self.teacher_port}"

    @property
    def student_url(self) -> str:
        return f"http://{self.host}:{self.student_port}"


def _optional(name: str, value: str | None) -> dict[str, str]:
    return {name: value} if value else {}


class StackError(RuntimeError):
    """A service of the local stack exited or never became ready; the message says which and why."""


def taken_ports(config: StackConfig) -> list[tuple[str, int]]:
    """(service, port) of each port another process listens on (binding as uvicorn does)."""
    taken = []
    for name, port in (
        ("orchestrator", config.orchestrator_port),
        ("teacher", config.teacher_port),
        ("student", config.student_port),
    ):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((config.host, port))
            except OSError:
                taken.append((name, port))
    return taken


def last_log_line(path: Path) -> str:
    """The last line of a service's log, its ``msg`` when it is a JSON log line."""
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    if not lines:
        return ""
    try:
        record = json.loads(lines[-1])
        return str(record.get("exc", "").strip().splitlines()[-1] if record.get("exc") else record["msg"])
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return lines[-1][:300]


class LocalStack:
    """Start and stop the four services; a context manager that always cleans up."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.log_dir = config.state_dir / "logs"
        self.service_token = config.service_token or secrets.token_urlsafe(32)

    @property
    def token_file(self) -> Path:
        """Where the running stack's service token is written (the CLI's default FDD_CLI_SERVICE_TOKEN_FILE
        for the default state directory)."""
        return self.config.state_dir / "service-token"

    def env(self) -> dict[str, str]:
        c = self.config
        env = {
            **os.environ,
            "FDD_STATE_DIR": str(c.state_dir.resolve()),
            "FDD_TEACHER_HOST": c.host,
            "FDD_TEACHER_PORT": str(c.teacher_port),
            "FDD_STUDENT_HOST": c.host,
            "FDD_STUDENT_PORT": str(c.student_port),
            "FDD_STUDENT_WORKER_THREADS": str(c.worker_threads),
            "FDD_ORCHESTRATOR_HOST": c.host,
            "FDD_ORCHESTRATOR_PORT": str(c.orchestrator_port),
            "FDD_ORCHESTRATOR_TEACHER_URL": c.teacher_url,
            "FDD_ORCHESTRATOR_STUDENT_URL": c.student_url,
            "FDD_ORCHESTRATOR_ADMIN_TOKEN": c.admin_token,
            "FDD_SERVICE_TOKEN": self.service_token,
            "OMP_NUM_THREADS": str(c.worker_threads),
            # workers import torch and the student library while the run's first teacher stage runs, not
            # inside its first job (measured: 5.4 s of the demo's round-0 training job was that import)
            "FDD_STUDENT_PRELOAD_LIBRARY": "true",
            "TOKENIZERS_PARALLELISM": "false",
            **_optional("FDD_DATA_DIR", str(c.data_dir.resolve()) if c.data_dir else None),
            **_optional("FDD_ORCHESTRATOR_DATABASE_URL", c.orchestrator_database_url),
            **_optional("FDD_TEACHER_DATABASE_URL", c.teacher_database_url),
            **_optional("FDD_STUDENT_DATABASE_URL", c.student_database_url),
            **_optional("FDD_STUDENT_REDIS_URL", c.redis_url),
            **c.extra_env,
        }
        return env

    def _spawn(self, name: str, args: list[str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            args, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _exited(self) -> StackError | None:
        """A ``StackError`` for the first service that has exited, or None while all run."""
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                log = self.log_dir / f"{name}.log"
                last = last_log_line(log)
                return StackError(
                    f"{name} exited with code {proc.returncode}" + (f": {last}" if last else "") + f"\n"
                    f"  (its log: {log})"
                )
        return None

    def wait(self, poll_s: float = 1.0) -> StackError:
        """Block while every service runs; return the error naming the first one that exits."""
        while True:
            exited = self._exited()
            if exited is not None:
                return exited
            time.sleep(poll_s)

    def _wait_ready(self, name: str, url: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self._exited()
            if exited is not None:
                raise exited
            try:
                if httpx.get(f"{url}/readyz", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise StackError(f"{name} not ready after {timeout:.0f}s; see {self.log_dir / (name + '.log')}")

    def _write_token(self) -> None:
        self.token_file.unlink(missing_ok=True)
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(self.service_token + "\n")

    def start(self) -> None:
        c = self.config
        c.state_dir.mkdir(parents=True, exist_ok=True)
        if c.service_token is None:
            self.service_token = secrets.token_urlsafe(32)
        self._write_token()
        self._spawn("teacher", [str(BIN / "fdd-teacher")])
        self._spawn("student-api", [str(BIN / "fdd-student-api")])
        for i in range(c.workers):
            self._spawn(
                f"student-worker-{i}",
                [
                    str(BIN / "fdd-student-worker"),
                    "-Q",
                    "cpu",
                    "-c",
                    "1",
                    "-n",
                    f"worker{i}@%h",
                    "--without-gossip",
                    "--without-mingle",
                ],
            )
        self._wait_ready("teacher", c.teacher_url)
        self._wait_ready("student-api", c.student_url)
        self._spawn("orchestrator", [str(BIN / "fdd-orchestrator")])
        self._wait_ready("orchestrator", c.orchestrator_url)

    def stop(self, timeout: float = 20.0) -> None:
        # Orchestrator first (it drives the others), workers last (they may be mid-job).
        for name in sorted(self.procs, key=lambda n: (n != "orchestrator", n.startswith("student-worker"))):
            proc = self.procs[name]
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()
        self.token_file.unlink(missing_ok=True)

    def __enter__(self) -> LocalStack:
        previous = signal.getsignal(signal.SIGTERM)

        def _terminate(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, _terminate)
        self._previous_sigterm = previous
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        signal.signal(signal.SIGTERM, self._previous_sigterm)
