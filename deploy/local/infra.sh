#!/usr/bin/env bash
# Starts, stops and reports the local PostgreSQL cluster and Tansu broker.
#   infra.sh start   start both (reusing running ones), write $RUN_DIR/env.sh
#   infra.sh stop    stop only what these scripts started (by PID)
#   infra.sh status  print what is running
#   infra.sh start-broker DIR   start a private Tansu broker (memory storage) with its files in DIR
#                               (DIR/tansu.pid, DIR/tansu.port, DIR/tansu.log); prints its address
#   infra.sh stop-broker DIR    stop the broker started in DIR
#   infra.sh start-postgres DIR a private PostgreSQL cluster with its files in DIR (DIR/pgdata,
#                               DIR/pg.port, DIR/postgres.log); prints its port
#   infra.sh stop-postgres DIR  stop that cluster (its data stays)
# A broker or cluster started again in the same DIR listens on the same port. Every broker start
# gets a new cluster id: with memory storage it is a new, empty cluster, and the services notice
# the change (Shared/Runtime/Messaging/BrokerWatch.swift).
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

# The port in file $1 when it is still free (a restart keeps its address), else a new free one.
port_for() {
  local port; port=$(cat "$1" 2>/dev/null || true)
  if [ -n "$port" ] && python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
    echo "$port"
  else
    free_port
  fi
}

# Starts the PostgreSQL cluster with its data, port and log in $1 (default $RUN_DIR), unless running.
start_postgres() {
  local dir="${1:-$RUN_DIR}"
  local PG_DATA="$dir/pgdata" PG_PID_FILE="$dir/pgdata/postmaster.pid"
  mkdir -p "$dir"
  if pid_alive "$PG_PID_FILE"; then
    log "PostgreSQL already running on port $(cat "$dir/pg.port")"
    return
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initdb $PG_DATA"
    mkdir -p "$PG_DATA" && chown postgres:postgres "$PG_DATA" && chmod 700 "$PG_DATA"
    # initdb refuses to run as root.
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
  fi
  local port; port=$(port_for "$dir/pg.port")
  echo "$port" >"$dir/pg.port"
  chown postgres:postgres "$dir"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || die "PostgreSQL did not start; see $dir/postgres.log"
  wait_for "$PG_BIN/pg_isready -q -h 127.0.0.1 -p $port" 30 || die "PostgreSQL not ready on $port"
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$DATABASE'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DATABASE"
  log "PostgreSQL ready on 127.0.0.1:$port"
}

# Starts Tansu with its pid, port and log files in $1 (default $RUN_DIR), unless already running there.
start_tansu() {
  local dir="${1:-$RUN_DIR}"
  mkdir -p "$dir"
  if pid_alive "$dir/tansu.pid"; then
    log "Tansu already running on port $(cat "$dir/tansu.port")"
    return
  fi
  [ -x "$TANSU_BIN" ] || die "Tansu is not installed; run deploy/local/bootstrap.sh"
  local port; port=$(port_for "$dir/tansu.port")
  echo "$port" >"$dir/tansu.port"
  # Memory storage only: the broker loses its data when it stops, and comes back as a new cluster.
  # The broker keeps none of the caller's other descriptors: a caller that watches one (Foundation's
  # Process does) sees this script end.
  ( for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; [ "$fd" -le 2 ] || eval "exec $fd>&-"; done 2>/dev/null
    exec nohup "$TANSU_BIN" broker --cluster-id "ressus-$(date +%s%N)" \
      --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" \
      --storage-engine "memory://tansu/" </dev/null >"$dir/tansu.log" 2>&1 ) &
  echo $! >"$dir/tansu.pid"
  wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $port), 1)'" 30 \
    || die "Tansu did not start; see $dir/tansu.log"
  log "Tansu ready on 127.0.0.1:$port"
}

# Stops the Tansu started in $1 (by its PID) and waits for it to exit.
stop_tansu() {
  local dir="$1"
  if pid_alive "$dir/tansu.pid"; then
    local pid; pid=$(cat "$dir/tansu.pid")
    kill "$pid" && log "Tansu stopped ($dir)"
    wait_for "! kill -0 $pid" 10 || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/tansu.pid"
}

write_env() {
  cat >"$ENV_FILE" <<ENV
# Written by deploy/local/infra.sh: addresses of the local infrastructure.
export RESSUS_DATABASE_URL="postgresql://postgres@127.0.0.1:$(state_get pg.port)/$DATABASE"
export RESSUS_KAFKA_BROKERS="127.0.0.1:$(state_get tansu.port)"
ENV
  log "addresses written to $ENV_FILE"
}

# Stops the PostgreSQL cluster started in $1 (fast shutdown: sessions are cut).
stop_postgres() {
  if pid_alive "$1/pgdata/postmaster.pid"; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$1/pgdata" -m fast -w stop >/dev/null && log "PostgreSQL stopped ($1)"
  fi
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
  start-broker) [ -n "${2:-}" ] || die "usage: $0 start-broker DIR"; start_tansu "$2"; echo "127.0.0.1:$(cat "$2/tansu.port")" ;;
  stop-broker) [ -n "${2:-}" ] || die "usage: $0 stop-broker DIR"; stop_tansu "$2" ;;
  start-postgres) [ -n "${2:-}" ] || die "usage: $0 start-postgres DIR"; start_postgres "$2"; cat "$2/pg.port" ;;
  stop-postgres) [ -n "${2:-}" ] || die "usage: $0 stop-postgres DIR"; stop_postgres "$2" ;;
  stop) stop_all ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|start-broker DIR|stop-broker DIR|start-postgres DIR|stop-postgres DIR" >&2; exit 2 ;;
esac
