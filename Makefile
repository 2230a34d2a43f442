# Séance: `make demo` serves the demo, `make test` runs the tests. Python >= 3.11 is all it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BIND ?= 127.0.0.1:8000

.PHONY: demo test lint format lock messages clean

$(BIN)/seance: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Séance needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

demo: $(BIN)/seance
	$(BIN)/seance serve --demo --bind $(BIND)

test: $(BIN)/seance
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/seance
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/seance
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin the dependencies after changing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# Re-extract and compile the translations (needs GNU gettext).
messages: $(BIN)/seance
	cd src/seance && ../../$(BIN)/seance makemessages -l fr --no-obsolete --add-location file
	cd src/seance && ../../$(BIN)/seance compilemessages

clean:
	rm -rf $(VENV) var
