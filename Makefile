# The two commands of the README: `make demo` runs the whole system with demo data;
# `make test` installs everything and runs the full test suite (what CI runs).
.PHONY: install demo test lint unit bench lock faults

install:
	scripts/bootstrap.sh

demo: install
	scripts/ensure-servers.sh
	.venv/bin/python -m scripts.demo

test: install
	scripts/ensure-servers.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy shared services
	cd services/web && npm test --silent
	.venv/bin/pytest -m "not faults"

# The fault suite (tests/faults): the whole system on private servers, one fault at a time.
# Not yet part of `make test`: its dashboard-vs-rebuild check still fails (see README).
faults: install
	.venv/bin/pytest -m faults tests/faults

unit: install
	.venv/bin/pytest tests/unit -q

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy shared services

bench: install
	scripts/ensure-servers.sh
	.venv/bin/python -m tests.benchmarks.run_all

lock:
	scripts/lock.sh
