#!/usr/bin/env bash
# Installs what is missing, builds, and opens SignalScope on a bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/app/signalscope "$@"
