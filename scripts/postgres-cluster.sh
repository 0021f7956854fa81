#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the PostgreSQL test leg.
#
#   scripts/postgres-cluster.sh start   # initdb + start; prints the URL to use
#   scripts/postgres-cluster.sh stop    # stop and delete the cluster
#   scripts/postgres-cluster.sh url     # print the URL of a running cluster
#
# The cluster is made as the contract's traces were made (formats.md section 7):
# `initdb --no-locale -E UTF8`, default settings otherwise, listening on
# 127.0.0.1 only (PGPORT, default 54329) with trust authentication. Being
# thrown away, it does not sync to disk (fsync, synchronous_commit and
# full_page_writes off: durability only, no effect on what queries return),
# which makes each run's CREATE/DROP DATABASE cheap. Its data
# directory is a temporary directory (SIGNALSCOPE_PG_DIR, default
# /tmp/signalscope-pg-$PGPORT). PostgreSQL refuses to run as root: as root the
# script runs the server as a throw-away system user (SIGNALSCOPE_PG_OSUSER,
# default sstest, created when missing); as any other user it runs it directly.
# The database superuser is always `signalscope`.
set -euo pipefail

PORT="${PGPORT:-54329}"
DIR="${SIGNALSCOPE_PG_DIR:-/tmp/signalscope-pg-$PORT}"
OSUSER="${SIGNALSCOPE_PG_OSUSER:-sstest}"
DBUSER=signalscope
URL="postgresql://$DBUSER@127.0.0.1:$PORT/signalscope"

find_bin() {
    local dir
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return
        fi
    done
    echo "postgres-cluster: no initdb found (install the postgresql package)" >&2
    exit 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        su -s /bin/sh "$OSUSER" -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}

start() {
    local bin
    bin="$(find_bin)"
    if [ -f "$DIR/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
        echo "$URL"
        return
    fi
    rm -rf "$DIR"
    if [ "$(id -u)" = 0 ]; then
        id "$OSUSER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OSUSER"
        mkdir -p "$DIR"
        chown "$OSUSER" "$DIR"
    else
        mkdir -p "$DIR"
    fi
    chmod 700 "$DIR"
    as_owner "$bin/initdb" --no-locale -E UTF8 -A trust -U "$DBUSER" -D "$DIR/data" >"$DIR/initdb.log" 2>&1 || {
        cat "$DIR/initdb.log" >&2
        exit 1
    }
    # The database for the URL; every run creates its own test_* database beside it.
    as_owner "$bin/pg_ctl" -D "$DIR/data" -w -t 60 -l "$DIR/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null || {
        cat "$DIR/server.log" >&2
        exit 1
    }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U "$DBUSER" "$DBUSER"
    echo "$URL"
}

stop() {
    local bin
    bin="$(find_bin)"
    if [ -d "$DIR/data" ]; then
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$URL" ;;
*)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
