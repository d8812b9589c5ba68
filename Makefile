# Anju: the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what those two are built from.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?= -n auto

.PHONY: run test install migrate demo lint format messages worker beat clean-db help

help:
	@echo "make run    - install, migrate, load the demo and serve http://$(HOST):$(PORT)/"
	@echo "make test   - the whole test suite (uses PostgreSQL/Redis/Celery when configured)"
	@echo "make lint   - ruff and import-linter"
	@echo "make messages - update and compile the translation catalogues"
	@echo "make worker / make beat - Celery worker and scheduler (need CELERY_BROKER_URL)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Anju needs Python 3.11, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo ""
	@echo "  Portal: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/"
	@echo "  API:    http://$(HOST):$(PORT)/api/  (docs at /api/docs/)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# pytest exits 5 when it collected no tests: that is a failure, never a pass.
test: install
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Each catalogue is made from its own folder. The core's (platform/anju/locale, which
# also holds theme/'s strings) from the root with every plugin left out; then each plugin
# under plugins/ from inside it, into plugins/<name>/locale/, created when missing (left
# to itself, makemessages writes the strings of a plugin with no locale/ folder yet into
# the core's catalogue). "plugins/?*" leaves out the plugins, not platform/anju/plugins.
MAKEMESSAGES := makemessages -l zh_Hans --no-obsolete \
	--ignore=.venv --ignore=tests --ignore=static --ignore=node_modules
PLUGIN_DIRS = $(patsubst %/apps.py,%,$(wildcard plugins/*/apps.py))

messages: install
	$(BIN)/python manage.py $(MAKEMESSAGES) --ignore="plugins/?*" \
		--ignore="platform/anju/plugins/scaffold/*"
	@for app in $(PLUGIN_DIRS); do \
		echo "$$app:"; mkdir -p $$app/locale || exit 1; \
		(cd $$app && $(abspath $(BIN))/python $(abspath manage.py) $(MAKEMESSAGES)) || exit 1; \
	done
	$(BIN)/python manage.py compilemessages --ignore=.venv

worker: install
	$(BIN)/celery -A anju worker --loglevel=INFO

beat: install
	$(BIN)/celery -A anju beat --loglevel=INFO

clean-db:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
