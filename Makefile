# LTC: the one entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
DEMO_PEOPLE ?= 50000
DEMO_SEED ?= 1
DATA ?= data
VENDOR := src/ltc/web/static/vendor
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install frontend java demo test check bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(UV):
	python3 -m pip install --quiet --user "uv==$(UV_VERSION)" || python3 -m pip install --quiet --break-system-packages --user "uv==$(UV_VERSION)"

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra spark --compile-bytecode
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update && apt-get install -y npm)
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR)/.copied: node_modules/.installed
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)
	cp $(NHSUK)/nhsuk-frontend.min.css $(NHSUK)/nhsuk-frontend.min.js $(VENDOR)/
	cp -R $(NHSUK)/assets $(VENDOR)/assets
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	touch $@

frontend: $(VENDOR)/.copied ## install nhsuk-frontend and htmx (npm) into src/ltc/web/static/vendor

install: .venv/.installed frontend ## install everything the project needs

java: ## install Java 17 (Debian) for the Spark engine, when missing
	@command -v java >/dev/null 2>&1 || (apt-get update && apt-get install -y openjdk-17-jre-headless)

demo: install frontend ## build a 50,000-person community, stratify it, load it into the care store and serve the web app
	$(UV) run ltc synth --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) --data-dir $(DATA)
	$(UV) run ltc ingest csv $(DATA)/extracts --data-dir $(DATA)
	$(UV) run ltc records summary --data-dir $(DATA)
	$(UV) run ltc model train --index-date 2023-04-01 --data-dir $(DATA)
	$(UV) run ltc stratify --as-of 2025-03-31 --model $(DATA)/models/gbm-2023-04-01 --data-dir $(DATA)
	$(UV) run ltc care load-run --data-dir $(DATA)
	$(UV) run ltc care demo-users --data-dir $(DATA)
	bash scripts/demo-serve.sh $(UV) $(DATA)

test: install java ## run every test (starts PostgreSQL and installs Chromium when missing)
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	$(UV) run python -m compileall -q src
	$(UV) run pytest -n 2 --dist loadfile -q

check: install ## lint and type-check
	$(UV) run ruff check src tests benchmarks
	$(UV) run mypy

bench: install ## run the benchmarks (prints figures; see docs/benchmarks.md)
	$(UV) run python benchmarks/record_plane.py --people 1000000

clean: ## remove generated data, the virtual environment and the front-end packages
	rm -rf $(DATA) .venv node_modules $(VENDOR)
