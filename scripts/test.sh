#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the QtTest suites, the
# GUI tests (offscreen) and the conformance suite against real Django, on
# SQLite and then on a throw-away PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure --timeout 300 -j "$(nproc)"

# --- PostgreSQL leg (formats.md section 7) -----------------------------------
# A throw-away cluster on 127.0.0.1 (scripts/postgres-cluster.sh: initdb into a
# temporary directory, as a non-root user), the conformance suite and
# tst_postgres against it (ctest label postgresql), then the cluster stopped
# and the URL taken out of the build's cache again, whatever happened.
(
    pg_url="$(scripts/postgres-cluster.sh start)"
    trap 'scripts/postgres-cluster.sh stop; cmake -S . -B build -USIGNALSCOPE_TEST_POSTGRES_URL >/dev/null' EXIT
    cmake -S . -B build -DSIGNALSCOPE_TEST_POSTGRES_URL="$pg_url" >/dev/null
    ctest --test-dir build --output-on-failure --timeout 300 -j "$(nproc)" -L postgresql
)
