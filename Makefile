# Two commands for a newcomer: `make run` and `make test`. Both build .venv when it is missing
# or when pyproject.toml changed since it was built.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The suite runs on both cores of the CI machine (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

.PHONY: run test lint format venv clean browser bench chaos

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@$(BIN)/connectbot run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot storage sandbox
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Speed against bare floors, measured not asserted: see docs/benchmarks.md. Needs PostgreSQL for
# its PostgreSQL figures (TEST_DATABASE_URL; this machine's server when unset). BENCH_QUICK=1 runs
# tiny sizes in about a minute.
bench: $(STAMP)
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres}" \
		$(BIN)/python -m bench.run

# The whole product under faults, then its invariants: see docs/reliability.md. Needs
# PostgreSQL (TEST_DATABASE_URL; this machine's server when unset). CHAOS_SEED replays a run.
CHAOS_SECONDS ?= 120
chaos: $(STAMP)
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres}" \
		CHAOS_SECONDS=$(CHAOS_SECONDS) $(BIN)/python -m bench.chaos

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Browser tests use Debian's Chromium (never a downloaded browser); without it they skip and say so.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		(apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 \
		|| echo "Chromium could not be installed: browser tests will be skipped"; }
	@# Emoji in Slack messages render as emoji in the screenshots (docs/images), not as boxes.
	@test -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf || \
		(apt-get install -y -qq fonts-noto-color-emoji >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq fonts-noto-color-emoji) >/dev/null 2>&1 \
		|| echo "fonts-noto-color-emoji could not be installed: emoji show as boxes")

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
