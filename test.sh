#!/usr/bin/env bash
# Sets everything up (system packages when root on Debian, .venv, dev extra, models), then runs
# the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
installer/setup_env.sh dev
echo "== lint"
.venv/bin/ruff check app pipeline tests
.venv/bin/ruff format --check app pipeline tests
echo "== import contracts (.importlinter)"
.venv/bin/lint-imports --no-cache
echo "== types (pipeline, app)"
.venv/bin/python -m mypy
echo "== tests"
exec .venv/bin/python -m pytest -q "$@"
