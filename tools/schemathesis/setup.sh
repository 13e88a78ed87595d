#!/usr/bin/env bash
# Installs the pinned Schemathesis (tools/schemathesis/requirements.txt) into a virtual environment at
# $LEADFLOW_LOCAL_DIR/schemathesis (default .local/schemathesis). Does nothing when that exact set is
# already installed. Needs Python >= 3.10 with venv (`python3 -m venv`).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LOCAL="${LEADFLOW_LOCAL_DIR:-$ROOT/.local}"
VENV="$LOCAL/schemathesis"
STAMP="$VENV/.requirements.sha256"
PYTHON="${PYTHON:-python3}"

want="$(sha256sum "$HERE/requirements.txt" | cut -c1-64)"
if [ -x "$VENV/bin/schemathesis" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then exit 0; fi

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || { echo "schemathesis needs Python >= 3.10 ($PYTHON is $("$PYTHON" --version 2>&1))" >&2; exit 1; }
echo "installing Schemathesis into $VENV (PyPI, pinned)" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$HERE/requirements.txt"
"$VENV/bin/schemathesis" --version >&2
printf '%s' "$want" > "$STAMP"
