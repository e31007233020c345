# The two commands: `make run` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Where `make run` serves (the links it hands out follow: README, "Settings").
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# The page tests drive the machine's Chromium (the Debian package). As root
# without it, `make test` installs it first; otherwise those tests say why
# they are skipped (and fail with REQUIRE_SERVICES=1).
NEEDS_BROWSER := $(if $(wildcard $(CHROMIUM)),,$(if $(filter 0,$(shell id -u)),browser))
# `make sandbox` serves local stand-ins for Twilio and SMTP on these ports,
# and `make run` sends the demo's SMS and e-mail there (README, "Jobs and
# notifications"): `make sandbox TWILIO_PORT=9010` with `make run TWILIO_PORT=9010`.
TWILIO_PORT ?= 8010
SMTP_PORT ?= 1025
MAIL_HTTP_PORT ?= 8025
TWILIO_API_BASE ?= http://127.0.0.1:$(TWILIO_PORT)
# `make bench BENCH=slots` runs one benchmark (all when empty; names in bench/__main__.py).
BENCH ?=

.PHONY: run sandbox test bench schema install clean browser vendor messages

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
	TWILIO_API_BASE=$(TWILIO_API_BASE) SMTP_PORT=$(SMTP_PORT) $(BIN)/clinicportal serve --host $(HOST) --port $(PORT)

sandbox: $(STAMP)
	$(BIN)/clinicportal sandbox --twilio-port $(TWILIO_PORT) --smtp-port $(SMTP_PORT) --mail-http-port $(MAIL_HTTP_PORT)

test: $(STAMP) $(NEEDS_BROWSER)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

browser:
	@if [ -x $(CHROMIUM) ]; then echo "Chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    || echo "Chromium could not be installed: the page tests will say so"; \
	else echo "No Chromium at $(CHROMIUM); as root, 'make browser' installs the Debian package chromium"; fi

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

# The vendored browser builds: GraphiQL's page, the reports page's Chart.js and
# the calendar's EventCalendar (portal/vendor/files/, committed) from the npm
# packages pinned in portal/vendor/package.json. Needs Node and npm; `make run` does not.
vendor:
	portal/vendor/refresh.sh

# The texts marked for translation, re-extracted into the catalogues'
# templates, and every language's .po file updated (README, "Languages").
messages: $(STAMP)
	$(BIN)/clinicportal messages

schema: $(STAMP)
	$(BIN)/python -m schema.export > schema.graphql

clean:
	rm -rf $(VENV) var .pytest_cache
