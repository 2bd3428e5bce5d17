# nianbao: the two commands a newcomer needs are `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## Set everything up and run broker + worker + watcher on the embedded defaults, watching ./inbox
run: $(STAMP)
	$(BIN)/nianbao run

## Run the whole test suite (SQLite, then PostgreSQL when DATABASE_URL/NIANBAO_TEST_PG_URL reaches one) in
## TEST_WORKERS pytest-xdist processes: much of the suite waits on subprocesses, brokers and browsers, so three
## keep two cores busy (TEST_WORKERS=0 runs it in this one process)
TEST_WORKERS ?= 3
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal --durations=15 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check worker watcher tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data inbox archive quarantine processing .pytest_cache .hypothesis
