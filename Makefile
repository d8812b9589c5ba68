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

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
		--ignore=.venv --ignore=tests --ignore=static --ignore=node_modules \
		--ignore="platform/anju/plugins/scaffold/*"
	$(BIN)/python manage.py compilemessages --ignore=.venv

worker: install
	$(BIN)/celery -A anju worker --loglevel=INFO

beat: install
	$(BIN)/celery -A anju beat --loglevel=INFO

clean-db:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
