# Videotales. `make run` on a fresh machine: installs what is missing, migrates, serves on 127.0.0.1:8000.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# espeak-ng speaks the offline narration; DejaVu draws Cyrillic titles and subtitles; `locales` carries
# the en_US source that JamSpell's C++ needs (the backend compiles the locale on first use).
# g++ builds JamSpell. gettext's msgfmt compiles the site's translations (locale/*/LC_MESSAGES/django.po).
APT_RUN := espeak-ng fonts-dejavu-core locales g++ gettext
RHVOICE_PACKAGES := librhvoice5 librhvoice-core7 rhvoice-russian rhvoice-english rhvoice-ukrainian
# Debian's Chromium for the browser tests (Playwright drives it; no browser download); PostgreSQL and Redis
# servers for the scale-out test, which starts its own on private sockets (nothing is started as a service);
# npm fetches axe-core, which the accessibility test injects into each page. Each package is installed only
# where its command is missing: a machine whose Node.js ships its own npm (NodeSource's) refuses Debian's.
APT_TEST := chromium:chromium postgresql-15:/usr/lib/postgresql/15/bin/postgres redis-server:redis-server npm:npm
AXE_CORE := 4.14.1

.PHONY: install install-test system system-test run test test-fast bench bench-load bench-abuse bench-scale examples clean

# The compiled catalogs (.mo) are not kept in git: built from the .po files, again whenever one changes.
LOCALE_MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

install: system $(VENV)/.base $(LOCALE_MO)

install-test: install system-test $(VENV)/.test $(VENV)/axe/.axe-$(AXE_CORE)

system:
	@command -v espeak-ng >/dev/null && command -v g++ >/dev/null && command -v msgfmt >/dev/null && \
	  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && \
	  [ -f /usr/share/i18n/locales/en_US ] || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_RUN); }

system-test:
	@missing=$$(for pair in $(APT_TEST); do command -v "$${pair#*:}" >/dev/null || echo "$${pair%%:*}"; done); \
	  [ -z "$$missing" ] || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; }

$(VENV)/.base: requirements/base.txt requirements/rhvoice.sh
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/base.txt
	# tinysoundfont renders MIDI with pretty_midi's SoundFont; its optional pyaudio does not build here
	$(PY) -m pip install -q --no-deps tinysoundfont
	# JamSpell (the default proofreader) builds its extension with SWIG 3, not 4: that swig first on PATH
	$(PY) -m pip install -q swig==3.0.12
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pip install -q --no-build-isolation jamspell==0.0.12
	# RHVoice, the default narrator: Debian's non-free packages unpacked under .venv/rhvoice (the system's apt
	# configuration is not changed; see requirements/rhvoice.sh)
	bash requirements/rhvoice.sh $(VENV)/rhvoice $(RHVOICE_PACKAGES)
	touch $@

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

# axe-core for tests/e2e/test_accessibility.py, under .venv (nothing global): `make clean` removes it
$(VENV)/axe/.axe-$(AXE_CORE): | $(VENV)/.base
	npm install --prefix $(VENV)/axe --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_CORE)
	touch $@

$(VENV)/.test: $(VENV)/.base requirements/test.txt requirements/neural.txt
	$(PY) -m pip install -q -r requirements/test.txt
	touch $@

run: install
	$(PY) manage.py serve  # migrates, then starts Redis, uvicorn and the django-q2 cluster

test: install-test
	$(PY) -m pytest -n 2 --dist loadgroup --durations=25

test-fast: install-test
	$(PY) -m pytest -m "not slow and not browser"

# Three rounds (BENCH_ROUNDS) of tale, floor, editor alone and redo; ratios per round and their median.
BENCH_ROUNDS ?= 3
bench: install
	$(PY) -m tests.bench --rounds $(BENCH_ROUNDS)

bench-load: install-test
	$(PY) -m tests.bench_load

# Issue 11's holes tried over HTTP against a real `serve` (floods, a 20 GB body, bad uploads, 20 viewers):
# prints requests per hole, server errors (0), stuck tales (0) and the web server's memory per viewer.
bench-abuse: install-test
	$(PY) -m tests.bench_abuse

# The scale-out layout on real PostgreSQL + Redis (GPU and CPU machines, node tasks): the fan-out ratio of 2 GPU
# workers to 1, and SCALE_USERS (50) users × SCALE_TALES (2) tales with node tasks and with whole-tale tasks.
bench-scale: install-test
	$(PY) -m tests.bench_scale

# The three example videotales in docs/examples (films at a lower quality, to keep the repository small).
EXAMPLE = $(PY) manage.py make_tale --options 'video={"crf": 30}'
examples: install
	$(EXAMPLE) "Колобок" --genre сказка --seed 1 -o docs/examples/kolobok.mp4 --sheet docs/examples/kolobok.png
	$(EXAMPLE) "Маша и медведь" --genre детская --seed 2 -o docs/examples/masha.mp4 --sheet docs/examples/masha.png
	$(EXAMPLE) "Робот и звезда" --genre фантастика --seed 3 -o docs/examples/robot.mp4 --sheet docs/examples/robot.png

clean:
	rm -rf $(VENV) var
