"""Parent-side handle of one sandbox worker process: spawn, framed pipes, progress, and cause of death.

A worker is a plain `subprocess` child started as `python -I -S -B -c <boot>` with a one-variable
environment and cwd `/` — never a fork of this (possibly threaded, possibly secret-holding) process —
that runs `fdd.programs.worker`. Requests go to its stdin, replies come from its stdout; its stderr
carries one progress byte per program begun, so that when it dies or is killed the program it was
running is known. Scheduling across workers is `fdd.programs.pool`'s job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import deque
from pathlib import Path

from fdd.programs.results import ErrorKind

_WORKER_DIR = str(Path(__file__).resolve().parent)
_BOOT = f"import sys; sys.path.append({_WORKER_DIR!r}); import worker; worker.main()"
_PROGRESS = 1  # the byte a worker writes (to its stderr pipe) before each program
_MAX_REPLY = 64 << 20
_PIPELINE_BYTES = 48 << 10  # a second request is sent ahead only if it surely fits the 64 KiB pipe


class WorkerDied(Exception):
    """The worker process ended or misbehaved while serving a chunk."""


class WorkerProcess:
    """One worker process: request pipe, reply pipe, and its stderr as the progress pipe."""

    def __init__(self, python: str, memory_bytes: int) -> None:
        self.proc = subprocess.Popen(
            [python, "-I", "-S", "-B", "-c", _BOOT, "2", str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"LC_ALL": "C.UTF-8"},
            cwd="/",
            close_fds=True,
        )
        self.in_fd = self.proc.stdin.fileno()  # type: ignore[union-attr]
        self.out_fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        self.progress_fd = self.proc.stderr.fileno()  # type: ignore[union-attr]
        os.set_blocking(self.out_fd, False)
        os.set_blocking(self.progress_fd, False)
        self.served = 0
        self.killed = False
        self.chunks: deque[list[int]] = deque()  # chunks sent and not answered yet, oldest first
        self.started = 0  # programs begun among those chunks, from progress bytes
        self.progress_at = 0.0
        self._buffer = bytearray()

    def request(self, payload: dict) -> None:
        """Send one request frame (blocking; raises WorkerDied if the process is gone)."""
        self._write(json.dumps(payload, separators=(",", ":")).encode())

    def send_chunk(self, programs: list[str], timeout: float, chunk: list[int]) -> bool:
        """Queue a chunk of programs; False (nothing sent) when others are in flight and this frame might
        not fit the pipe — a blocking write to a busy worker would stall the caller."""
        data = json.dumps(
            {"op": "run", "timeout": timeout, "programs": programs}, separators=(",", ":")
        ).encode()
        if self.chunks and len(data) > _PIPELINE_BYTES:
            return False
        self._write(data)
        if not self.chunks:
            self.progress_at = time.monotonic()
        self.chunks.append(chunk)
        return True

    def finish_chunk(self) -> list[int]:
        """The oldest chunk in flight, now answered."""
        self.drain_progress()  # its progress bytes were written before its reply
        chunk = self.chunks.popleft()
        self.started = max(0, self.started - len(chunk))
        self.served += len(chunk)
        return chunk

    def _write(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(len(data).to_bytes(4, "big") + data)  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(str(exc)) from None

    def read_reply(self, *, read: bool = True) -> object | None:
        """The next complete reply: from what is buffered, else (with `read`) after one read of the pipe."""
        reply = self._take_frame()
        if reply is not None or not read:
            return reply
        try:
            data = os.read(self.out_fd, 1 << 20)
        except BlockingIOError:
            return None
        if not data:
            raise WorkerDied("closed its output")
        self._buffer += data
        return self._take_frame()

    def _take_frame(self) -> object | None:
        if len(self._buffer) < 4:
            return None
        size = int.from_bytes(self._buffer[:4], "big")
        if size > _MAX_REPLY:
            raise WorkerDied(f"reply of {size:,} bytes")
        if len(self._buffer) < 4 + size:
            return None
        payload = bytes(self._buffer[4 : 4 + size])
        del self._buffer[: 4 + size]
        try:
            return json.loads(payload)
        except ValueError:
            raise WorkerDied("unreadable reply") from None

    def drain_progress(self) -> None:
        """Count progress bytes written since the last call (anything else on stderr is ignored)."""
        while True:
            try:
                data = os.read(self.progress_fd, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not data:
                return
            begun = data.count(_PROGRESS)
            if begun:
                self.started += begun
                self.progress_at = time.monotonic()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Wall-clock kill from outside (the program it runs will be reported as a timeout)."""
        if self.proc.poll() is None:
            self.killed = True
            self.proc.kill()

    def close(self) -> None:
        """End the process (politely when idle: EOF on its stdin) and release the pipes."""
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        try:
            self.proc.wait(0.5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()  # type: ignore[union-attr]

    def death_cause(self) -> tuple[ErrorKind, str]:
        """Why the process ended, as the result of the program it was running."""
        try:
            code = self.proc.wait(None if self.killed else 1.0)
        except subprocess.TimeoutExpired:  # alive but misbehaving (e.g. a corrupt reply)
            code = None
        self.close()
        if code is None:
            return ErrorKind.RUNTIME, "worker misbehaved and was stopped"
        if self.killed and code == -signal.SIGKILL:
            return ErrorKind.TIMEOUT, "killed from outside after the wall-clock limit"
        if code == -signal.SIGXCPU:
            return ErrorKind.TIMEOUT, "CPU time limit (RLIMIT_CPU)"
        if code == -signal.SIGKILL:
            return ErrorKind.MEMORY, "worker killed by the system (out of memory?)"
        if code == -signal.SIGXFSZ:
            return ErrorKind.FORBIDDEN, "wrote to a file (RLIMIT_FSIZE)"
        if code < 0:
            return ErrorKind.RUNTIME, f"worker crashed with signal {signal.Signals(-code).name}"
        return ErrorKind.RUNTIME, f"worker exited with status {code}"
