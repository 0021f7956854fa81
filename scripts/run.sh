#!/usr/bin/env bash
# Installs what is missing, builds the window only (scripts/test.sh builds the
# tests, fuzz targets and the benchmark), and opens SignalScope on a bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --app-only
exec build/app/signalscope "$@"
