#!/usr/bin/env bash
# Configures and builds SignalScope into ./build (Release with debug info).
# `scripts/build.sh --app-only` builds only the window (what scripts/run.sh
# needs); without it, everything: tests, fuzz targets, the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
target=()
if [[ "${1:-}" == "--app-only" ]]; then
    shift
    target=(--target signalscope)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build "${target[@]}"
