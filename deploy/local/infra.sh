#!/usr/bin/env bash
# Starts, stops and reports the local PostgreSQL cluster and Tansu broker.
#   infra.sh start   start both (reusing running ones), write $RUN_DIR/env.sh
#   infra.sh stop    stop only what these scripts started (by PID)
#   infra.sh status  print what is running
# Both listen on free loopback ports only.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_BIN="/usr/lib/postgresql/15/bin"
PG_DATA="$RUN_DIR/pgdata"
PG_PID_FILE="$PG_DATA/postmaster.pid"
TANSU_PID_FILE="$RUN_DIR/tansu.pid"
TANSU_BIN="$LOCAL_PREFIX/bin/tansu"
DATABASE="ressus"

pid_alive() { [ -f "$1" ] && kill -0 "$(head -1 "$1")" 2>/dev/null; }

state_get() { [ -f "$RUN_DIR/$1" ] && cat "$RUN_DIR/$1"; }

start_postgres() {
  mkdir -p "$RUN_DIR"
  if pid_alive "$PG_PID_FILE"; then
    log "PostgreSQL already running on port $(state_get pg.port)"
    return
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initdb $PG_DATA"
    mkdir -p "$PG_DATA" && chown postgres:postgres "$PG_DATA" && chmod 700 "$PG_DATA"
    # initdb refuses to run as root.
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 >"$RUN_DIR/initdb.log" 2>&1 || die "initdb failed; see $RUN_DIR/initdb.log"
  fi
  local port; port=$(free_port)
  echo "$port" >"$RUN_DIR/pg.port"
  chown postgres:postgres "$RUN_DIR"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$RUN_DIR/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $RUN_DIR -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || die "PostgreSQL did not start; see $RUN_DIR/postgres.log"
  wait_for "$PG_BIN/pg_isready -q -h 127.0.0.1 -p $port" 30 || die "PostgreSQL not ready on $port"
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$DATABASE'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DATABASE"
  log "PostgreSQL ready on 127.0.0.1:$port"
}

start_tansu() {
  mkdir -p "$RUN_DIR"
  if pid_alive "$TANSU_PID_FILE"; then
    log "Tansu already running on port $(state_get tansu.port)"
    return
  fi
  [ -x "$TANSU_BIN" ] || die "Tansu is not installed; run deploy/local/bootstrap.sh"
  local port; port=$(free_port)
  echo "$port" >"$RUN_DIR/tansu.port"
  # Memory storage only: the broker loses its data when it stops.
  nohup "$TANSU_BIN" broker \
    --listener-url "tcp://127.0.0.1:$port" \
    --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine "memory://tansu/" >"$RUN_DIR/tansu.log" 2>&1 &
  echo $! >"$TANSU_PID_FILE"
  wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $port), 1)'" 30 \
    || die "Tansu did not start; see $RUN_DIR/tansu.log"
  log "Tansu ready on 127.0.0.1:$port"
}

write_env() {
  cat >"$ENV_FILE" <<ENV
# Written by deploy/local/infra.sh: addresses of the local infrastructure.
export RESSUS_DATABASE_URL="postgresql://postgres@127.0.0.1:$(state_get pg.port)/$DATABASE"
export RESSUS_KAFKA_BROKERS="127.0.0.1:$(state_get tansu.port)"
ENV
  log "addresses written to $ENV_FILE"
}

stop_all() {
  if pid_alive "$TANSU_PID_FILE"; then
    kill "$(cat "$TANSU_PID_FILE")" && log "Tansu stopped"
  fi
  rm -f "$TANSU_PID_FILE"
  if pid_alive "$PG_PID_FILE"; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null && log "PostgreSQL stopped"
  fi
  rm -f "$ENV_FILE"
}

status() {
  pid_alive "$PG_PID_FILE" && echo "postgres: running on 127.0.0.1:$(state_get pg.port)" || echo "postgres: stopped"
  pid_alive "$TANSU_PID_FILE" && echo "tansu: running on 127.0.0.1:$(state_get tansu.port)" || echo "tansu: stopped"
}

case "${1:-}" in
  start) start_postgres; start_tansu; write_env ;;
  stop) stop_all ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
