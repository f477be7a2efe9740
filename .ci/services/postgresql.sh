#!/usr/bin/env bash
# A private PostgreSQL cluster for the history-store tests: loopback only, its own port and socket
# directory, trust auth, so it never touches a system cluster. Idempotent: a running cluster is reused.
# Writes MAILWARDEN_TEST_PG_DSN to .services/postgresql.env.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${MAILWARDEN_PG_PORT:-54329}"
BASE="${MAILWARDEN_PG_DIR:-/tmp/mailwarden-pg-$PORT}"
DATA="$BASE/data"
SOCK="$BASE/sock"
ENVFILE=".services/postgresql.env"
mkdir -p .services

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "postgresql: server binaries not installed (apt package postgresql-15); tests will skip or fail in CI" >&2
  exit 0
fi

# The server refuses to run as root: run it as the postgres user when we are root.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$BASE" --shell /usr/sbin/nologin postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

mkdir -p "$BASE" "$SOCK"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$BASE"

if [ ! -s "$DATA/PG_VERSION" ]; then
  as_pg "$bindir/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
fi

if as_pg "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  echo "postgresql: already running on 127.0.0.1:$PORT"
else
  as_pg "$bindir/pg_ctl" -D "$DATA" -l "$BASE/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$SOCK -c fsync=off" start >/dev/null
  echo "postgresql: started on 127.0.0.1:$PORT"
fi

as_pg "$bindir/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname='mailwarden_test'" | grep -q 1 \
  || as_pg "$bindir/createdb" -h 127.0.0.1 -p "$PORT" -U postgres mailwarden_test

echo "MAILWARDEN_TEST_PG_DSN=postgresql://postgres@127.0.0.1:$PORT/mailwarden_test" > "$ENVFILE"
