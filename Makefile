# Peikao — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 3
THREADS ?= 4

export DJANGO_SETTINGS_MODULE ?= peikao.settings

.PHONY: install run serve test lint bench lock messages clean

install: $(STAMP)

$(STAMP): requirements/base.txt requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements/base.txt -r requirements/dev.txt
	@touch $(STAMP)

# Migrate the embedded database, load reference data and the demo province once, then serve.
run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	$(BIN)/gunicorn peikao.wsgi --bind $(HOST):$(PORT) --worker-class gthread --workers $(WORKERS) \
		--threads $(THREADS) --logger-class peikao.core.logging.GunicornLogger --access-logfile - --log-level warning

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	PEIKAO_VAR_DIR=$$(mktemp -d) $(BIN)/mypy

bench: install
	@command -v wrk >/dev/null || (echo "installing wrk (load generator of bench/verify_load.py)"; apt-get install -y -q wrk)
	$(PY) -m bench.run

# Re-pin dependencies (needs pip-tools): edit requirements/*.in, then `make lock`.
lock:
	$(PY) -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe -o requirements/base.txt requirements/base.in
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe -o requirements/dev.txt requirements/dev.in

messages: install
	cd peikao && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete --no-location --no-wrap
	cd peikao && ../$(PY) ../manage.py compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache
