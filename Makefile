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
	.venv/bin/pytest -m "not faults" -n 2 --dist loadfile
	.venv/bin/pytest -m faults tests/faults

# The fault suite alone (tests/faults, also the last step of `make test`): the whole system
# on private servers of its own, one fault at a time; prints the fault table (README).
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
