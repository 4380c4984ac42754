# Two commands: `make run` (set up and start the site with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Debian packages: ffmpeg for media, gettext for translations, WenQuanYi Zen Hei for the PDF
# certificates (reportlab); the test command adds Chromium, Noto CJK and pdftotext. Installed only
# when missing and when we are root (CI and these machines run as root).
RUN_APT := ffmpeg gettext fonts-wqy-zenhei
TEST_APT := $(RUN_APT) chromium fonts-noto-cjk poppler-utils

.PHONY: run test bench lint messages system-deps-run system-deps-test venv venv-test

define apt_install
	@missing=""; for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else echo "Please install with apt:$$missing (not root, so not installing them here)"; fi; \
	fi
endef

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(PIP) install -q .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -q ".[test]"
	touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

system-deps-run:
	$(call apt_install,$(RUN_APT))

system-deps-test:
	$(call apt_install,$(TEST_APT))

messages: venv
	$(PY) manage.py compilemessages -v0 --ignore=.venv

run: system-deps-run venv messages
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_demo
	@echo "Starting the task worker and the site on http://$(HOST):$(PORT)/ (Ctrl-C stops both)"
	@$(PY) manage.py db_worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: system-deps-test venv-test messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

bench: venv-test messages
	$(PY) bench/run.py
