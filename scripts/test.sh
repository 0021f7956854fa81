#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the QtTest suites, the
# GUI tests (offscreen) and the conformance suite against real Django.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure --timeout 300 -j "$(nproc)"
