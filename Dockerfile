# One image per role, built from the same source (see docker-compose.yml). Targets:
#   service      teacher and orchestrator (no torch)
#   student      student API and CPU workers (torch CPU build)
#   student-gpu  GPU workers (CUDA torch + vLLM)
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 FDD_STATE_DIR=/var/lib/fdd FDD_DATA_DIR=/data
# The state directory and its artifacts mount point belong to the service user: a named volume mounted
# there starts with the image's ownership, so the non-root services can write to it.
RUN useradd --create-home --uid 1000 fdd && mkdir -p /var/lib/fdd/artifacts /data \
    && chown -R fdd:fdd /var/lib/fdd
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fdd fdd
COPY services services

FROM base AS service
RUN pip install .
USER fdd

FROM base AS student
# The CPU wheel first, so that the student extra does not pull a CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu && pip install ".[student]"
USER fdd

FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS student-gpu
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 FDD_STATE_DIR=/var/lib/fdd FDD_DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends python3.11 python3.11-venv python3-pip \
    && rm -rf /var/lib/apt/lists/* && python3.11 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The state directory and its artifacts mount point belong to the service user: a named volume mounted
# there starts with the image's ownership, so the non-root services can write to it.
RUN useradd --create-home --uid 1000 fdd && mkdir -p /var/lib/fdd/artifacts /data \
    && chown -R fdd:fdd /var/lib/fdd
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fdd fdd
COPY services services
RUN pip install ".[student,gpu]"
USER fdd
