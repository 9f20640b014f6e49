# pqrbot: the two commands a newcomer needs.
#   make run    set up, train if needed, load demo billing data, start the assistant (Ctrl-C stops it)
#   make test   the whole test suite
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Python 3.10 (Rasa 3.6 needs < 3.11): python3.10 on PATH, or a pyenv-installed 3.10.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	  $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)

export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install train lint lint-data clean browser fonts haproxy

# Browser tests (console, workbench) drive Debian's chromium; Playwright's own browser download is
# not reachable here. Installed by apt when missing (CI runs as root).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

# The chat image attached to each PQR draws emojis with Debian's colour emoji font and text with
# DejaVu Sans; installed by apt when missing (without them: monochrome symbols, see docs/evidencia.md).
EMOJI_FONT ?= /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
fonts:
	@test -f $(EMOJI_FONT) || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji fonts-dejavu-core >/dev/null) \
	  || echo "emoji font not installed: chat images draw emojis as monochrome symbols"; }

# The production profile (PQRBOT_PROFILE=production) puts Debian's HAProxy in front of the ingress and
# Rasa; installed by apt when missing (make run with that profile, make test for its e2e test).
haproxy:
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null) \
	  || echo "haproxy not installed: the production profile cannot start"; }

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required (Rasa 3.6 does not run on 3.11+): install it, e.g. 'pyenv install 3.10', or set PYTHON310=/path/to/python3.10"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON310) -m venv $(VENV)
	$(BIN)/pip install -q "pip<24.1" wheel
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

train: $(STAMP)
	$(BIN)/python -c "from bot.model import ensure_model; ensure_model()"

run: $(STAMP) fonts
	@if [ "$$PQRBOT_PROFILE" = production ]; then $(MAKE) --no-print-directory haproxy; fi
	$(BIN)/python -c "from bot.model import ensure_model; ensure_model()"
	$(BIN)/pqrbot db upgrade
	$(BIN)/pqrbot crm seed demo/billing.json
	exec $(BIN)/pqrbot run --skip-train

# Formatter, linter (import order included) and type checker: `make test` fails on any finding.
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP) browser fonts haproxy lint
	$(BIN)/python -c "from bot.model import ensure_model; ensure_model()"
	$(BIN)/rasa data validate --data nlu/data nlu/rules nlu/stories --domain domain.yml --config config.yml --fail-on-warnings
	$(BIN)/pytest -q -p no:cacheprovider
	$(BIN)/rasa test core --stories tests/stories --model models/pqrbot.tar.gz --fail-on-prediction-errors --out results/core

clean:
	rm -rf $(VENV) models results var
