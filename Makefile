# The two commands: `make run` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo clinic's SMS go to `clinicportal sandbox` (see README, "Jobs and notifications").
TWILIO_API_BASE ?= http://127.0.0.1:8010

.PHONY: run sandbox test bench schema install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/clinicportal migrate
	$(BIN)/clinicportal seed-demo
	TWILIO_API_BASE=$(TWILIO_API_BASE) $(BIN)/clinicportal serve --host $(HOST) --port $(PORT)

sandbox: $(STAMP)
	$(BIN)/clinicportal sandbox

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

schema: $(STAMP)
	$(BIN)/python -m schema.export > schema.graphql

clean:
	rm -rf $(VENV) var .pytest_cache
