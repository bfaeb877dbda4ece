# The README's commands. `make test` and `make demo` do all the set-up themselves on a fresh machine.
SHELL := /bin/bash
VENV := .venv/bin
SHARED_DATA := $(abspath ../shared/data)
export FDD_DATA_DIR ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),$(abspath data))

.PHONY: setup services models lint test demo bench clean

setup:
	@bash scripts/setup.sh

services:
	@bash scripts/ensure_services.sh

# the real pre-trained model of the slow real-model tests: downloaded and converted once per machine (cached)
models: setup
	@$(VENV)/fdd models fetch smollm2-135m > /dev/null

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

test: setup services lint models
	$(VENV)/pytest

demo: setup
	$(VENV)/fdd demo

bench: setup services
	@for b in bench/bench_*.py; do echo "== $$b"; $(VENV)/python $$b || exit 1; done

clean:
	rm -rf var reports .pytest_cache .ruff_cache
