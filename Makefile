# Set-up, build and test on Debian/Ubuntu. `make demo` and `make test` do
# everything from a fresh clone: system packages, virtualenv, build.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PACKAGES := $(shell grep -v '^\#' deps/debian.txt)
STAMP := $(VENV)/.ndcodecs-built
SOURCES := $(shell find src -name '*.py' -o -name '*.pyx' -o -name '*.pxd' -o -name '*.c' -o -name '*.h' -o -name meson.build) meson.build pyproject.toml

.PHONY: deps build test demo bench fuzz clean

deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(STAMP): $(PY) $(SOURCES)
	$(PIP) install -q meson-python meson ninja Cython
	$(PIP) install -q --no-build-isolation '.[test]' -Cbuild-dir=build
	@touch $@

build: deps $(STAMP)

test: build
	$(PY) -m pytest -q -p no:cacheprovider

demo: build
	$(VENV)/bin/ndcodecs demo

bench: build
	$(PIP) install -q --no-build-isolation '.[bench]' -Cbuild-dir=build
	$(PY) bench/run.py

fuzz: build
	$(PY) tests/fuzz/fuzz.py --seconds 600

clean:
	rm -rf build $(VENV)
