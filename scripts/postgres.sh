#!/usr/bin/env bash
# A throwaway PostgreSQL on 127.0.0.1 for the shared feedback store (tests, CI, trying it out).
#
#   scripts/postgres.sh start    # installs Debian's postgresql when missing (as root), initialises a
#                                # temporary data directory, starts the server; the LAST line printed
#                                # is the connection URL:  export RAG_DATABASE_URL=$(scripts/postgres.sh start | tail -1)
#   scripts/postgres.sh pause    # stop the server, keep the data (start resumes it)
#   scripts/postgres.sh stop     # stop the server and delete the data directory
#   scripts/postgres.sh status   # running or not, and the URL
#
# RAG_PG_DIR (default /tmp/rag-postgres) is the data directory; RAG_PG_PORT (default: 55432 when
# free, else any free port) the port. Listens on 127.0.0.1 only; password authentication.
# When run as root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

DIR="${RAG_PG_DIR:-/tmp/rag-postgres}"
DATA="$DIR/data"
cmd="${1:-}"

die() { echo "postgres.sh: $*" >&2; exit 1; }

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$d" ] && command -v pg_config >/dev/null 2>&1; then d=$(pg_config --bindir); fi
  echo "$d"
}

install_if_missing() {
  [ -n "$(bindir)" ] && [ -x "$(bindir)/initdb" ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> apt: postgresql" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    # Debian's package starts a cluster of its own on 5432; this script does not use it.
  else
    die "PostgreSQL is not installed; run as root (or: apt-get install postgresql)"
  fi
  [ -x "$(bindir)/initdb" ] || die "postgresql installed but initdb not found"
}

# Run a PostgreSQL program as the owner of the data directory.
as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 - "$1" <<'EOF'
import socket, sys
want = int(sys.argv[1])
for port in (want, 0):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(s.getsockname()[1])
        break
EOF
}

url() { echo "postgresql://postgres:$(cat "$DIR/password")@127.0.0.1:$(cat "$DIR/port")/rag"; }

running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$(bindir)/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

case "$cmd" in
  start)
    install_if_missing
    BIN="$(bindir)"
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DIR"
      chmod 755 "$DIR"
      python3 -c "import secrets; print(secrets.token_urlsafe(18))" > "$DIR/password"
      free_port "${RAG_PG_PORT:-55432}" > "$DIR/port"
      [ -s "$DIR/port" ] || die "no free port"
      mkdir -p "$DATA"
      if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$DIR"; fi
      chmod 700 "$DATA"
      as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$DIR/password" -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
      cat >> "$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $(cat "$DIR/port")
unix_socket_directories = '$DATA'
max_connections = 200
fsync = on
synchronous_commit = on
EOF
      fresh=1
    fi
    if ! running; then
      as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >/dev/null \
        || { tail -20 "$DIR/server.log" >&2; die "the server did not start"; }
    fi
    if [ "${fresh:-0}" = "1" ]; then
      as_owner "$BIN/createdb" -h "$DATA" -p "$(cat "$DIR/port")" -U postgres rag
    fi
    echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$(cat "$DIR/port"), data in $DATA" >&2
    url
    ;;
  pause)
    [ -f "$DATA/PG_VERSION" ] || die "no data directory at $DATA"
    if running; then as_owner "$(bindir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
    echo "paused (data kept in $DATA)" >&2
    ;;
  stop)
    if [ -f "$DATA/PG_VERSION" ] && running; then as_owner "$(bindir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
    rm -rf "$DIR"
    echo "stopped; $DIR removed" >&2
    ;;
  status)
    if [ -f "$DATA/PG_VERSION" ] && running; then echo "running" >&2; url; else echo "not running" >&2; exit 3; fi
    ;;
  *)
    echo "usage: $0 start|pause|stop|status" >&2
    exit 2
    ;;
esac
