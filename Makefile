# ragbook: every target sets itself up on a fresh machine (Python 3.11+ and make).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
AXE    := tests/browser/node_modules/.installed

.PHONY: demo test lint bench templates golden picture wheel serve setup clean

demo: $(READY)  ## rate the bundled demo plan and show every rating
	$(BIN)/ragbook demo --out out/demo

test: $(READY) $(AXE)  ## run the whole test suite
	$(BIN)/pytest

lint: $(READY)  ## ruff and mypy
	$(BIN)/ruff check src tests bench addin docs
	$(BIN)/mypy

bench: $(READY)  ## speed figures (see bench/)
	$(BIN)/python bench/rating.py
	$(BIN)/python bench/recalc.py
	$(BIN)/python bench/appendix.py
	$(BIN)/python bench/addin.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/spc.py

templates: $(READY)  ## regenerate workbook_templates/ after a deliberate template change
	$(BIN)/python -m ragbook.workbook.template

golden: $(READY)  ## regenerate the reference appendix after a deliberate layout change
	$(BIN)/python tests/golden/make_golden.py

wheel: $(READY)  ## the pure-Python wheel xlwings Lite installs (dist/)
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl

HOST ?= 127.0.0.1
PORT ?= 8000
serve: $(READY)  ## the Excel add-in server on $(HOST):$(PORT) (HTTPS with addin/certs/, see README)
	$(BIN)/ragbook serve --host $(HOST) --port $(PORT)

picture: $(READY)  ## the README's pictures: a page of the tagged PDF, the web page (poppler, Chromium)
	$(BIN)/python docs/make_picture.py

setup: $(READY)

$(READY): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ragbook needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(READY)

# axe-core for the browser tests (tests/browser_tools.py), as pinned in the lock file.
# Without npm the browser tests skip, saying how to install it (on CI they fail).
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "npm ci --prefix tests/browser --no-audit --no-fund"; \
		npm ci --prefix tests/browser --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the browser tests need axe-core (apt-get install nodejs npm, then make test)" >&2; \
	fi

clean:
	rm -rf $(VENV) out build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis \
		tests/browser/node_modules
