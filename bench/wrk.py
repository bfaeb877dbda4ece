"""Load from Debian's ``wrk`` (C, event loop): POST a fixed list of bodies round robin, read back figures.

A Python client saturates before a FastAPI server does on a 2-core machine, so the closed-loop figures
at 64 connections come from ``wrk``. The bodies are written into a Lua script (one list, each wrk thread
cycles through it from its own offset); ``done`` prints one JSON line with requests, duration, latency
percentiles and errors. Install with ``apt-get install wrk``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_SCRIPT = """
local bodies = {%(bodies)s}
local i = 0
local threads = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
setup = function(thread)
  thread:set("offset", %(half)d * threads)
  threads = threads + 1
end
init = function(args)
  i = offset or 0
end
request = function()
  i = i + 1
  return wrk.format(nil, "%(path)s", nil, bodies[(i %% #bodies) + 1])
end
"""
# wrk's ``done`` hook: one JSON line with requests, duration, latency percentiles and errors (a plain
# Lua snippet, appended to any script; ``run`` parses the line).
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d," ..
    "\\"errors\\":%d,\\"non2xx\\":%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: int  # connect, read, write errors and time-outs (wrk's default: 2 s)
    non2xx: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def available() -> bool:
    return shutil.which("wrk") is not None


def write_script(path: Path, url_path: str, bodies: list[bytes], token: str | None = None) -> Path:
    """A wrk Lua script POSTing ``bodies`` (JSON) to ``url_path`` round robin, with ``token`` as the bearer
    token when given (the teacher and student require the service token)."""
    quoted = ",".join(json.dumps(b.decode()) for b in bodies)
    auth = f'wrk.headers["Authorization"] = {json.dumps("Bearer " + token)}\n' if token else ""
    script = _SCRIPT % {"bodies": quoted, "half": len(bodies) // 2, "path": url_path}
    path.write_text(script + auth + REPORT_LUA)
    return path


def run(url: str, script: Path, *, connections: int, seconds: float, threads: int = 2) -> WrkResult:
    """Run wrk against ``url`` for ``seconds`` with ``connections`` open (closed loop)."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    data = json.loads(line[4:])
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        socket_errors=data["errors"],
        non2xx=data["non2xx"],
    )
