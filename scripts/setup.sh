#!/usr/bin/env bash
# Create .venv at the repo root if missing and install fdd with its extras.
# torch is installed first as the CPU build (torch==2.13.0) when no CUDA device is present, so that
# nothing later pulls a multi-GB CUDA build onto a CPU machine. Re-runs are cheap: the install is
# skipped while pyproject.toml is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${FDD_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "setup: Python >= 3.11 is required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

EXTRAS="${FDD_EXTRAS:-student,dev,real}"

# The dashboard's browser tests drive Debian's chromium (Playwright with executable_path; no browser is
# downloaded). Checked on every run, since it lives outside .venv.
if [[ "$EXTRAS" == *dev* ]] && [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium for the dashboard's browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends chromium fonts-dejavu-core >/dev/null; } \
    || echo "setup: could not install chromium (apt-get install chromium); tests/ui will fail" >&2
fi
STAMP=".venv/.fdd-installed"
WANT="$(cat pyproject.toml | sha256sum | cut -c1-16)-$EXTRAS"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  exit 0
fi

if ! .venv/bin/python -c 'import torch' >/dev/null 2>&1; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "setup: CUDA device found; torch comes with the project's extras"
  else
    echo "setup: no CUDA device; installing the CPU build torch==2.13.0 first"
    .venv/bin/python -m pip install --quiet torch==2.13.0
  fi
fi

echo "setup: installing fdd[$EXTRAS] (editable)"
.venv/bin/python -m pip install --quiet -e ".[$EXTRAS]"
echo "$WANT" > "$STAMP"
