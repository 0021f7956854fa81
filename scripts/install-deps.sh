#!/usr/bin/env bash
# Installs what SignalScope needs on Debian 12, skipping what is already there.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libgl-dev
    fonts-dejavu-core            # text in offscreen GUI tests and screenshots
    python3 python3-django       # the conformance oracle is real Django 3.2
    libqt6sql6-psql python3-psycopg2 postgresql   # the PostgreSQL backend, its oracle and test server
    # The sanitizer and fuzz leg of scripts/test.sh: clang's ASan/UBSan/libFuzzer
    # runtimes, and llvm-symbolizer for readable reports.
    clang-14 libclang-rt-14-dev llvm-14
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    sudo apt-get update
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
