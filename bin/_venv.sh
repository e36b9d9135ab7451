# Sourced by bin/run and bin/test: make .venv with the project's dependencies, once per change of pyproject.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$1
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ "$1" = dev ]; then .venv/bin/python -m pip install --quiet -e ".[dev]"; else .venv/bin/python -m pip install --quiet -e .; fi
  touch "$stamp"
fi
