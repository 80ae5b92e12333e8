#!/usr/bin/env bash
# Starts and stops the five service executables against the local infrastructure.
#   services.sh start [BIN_DIR]   start each service (default BIN_DIR: .build/debug), wait until ready
#   services.sh stop              SIGTERM each, wait for a clean exit (SIGKILL after the grace period)
#   services.sh status            one line per service
# RESSUS_SERVICE_DIR (pid and log files, default $RUN_DIR/services) and RESSUS_SERVICE_ENV_FILE (the
# addresses and settings the services get, default $RUN_DIR/env.sh) let the demo run its own set.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SERVICES=(intake deadlines debt-calculator report-publisher fns-transfer)
SERVICE_DIR="${RESSUS_SERVICE_DIR:-$RUN_DIR/services}"
SERVICE_ENV_FILE="${RESSUS_SERVICE_ENV_FILE:-$ENV_FILE}"
GRACE_SECONDS="${RESSUS_STOP_GRACE_SECONDS:-20}"
# A service that crashes prints its backtrace into its log (Swift's runtime backtracer).
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=yes,interactive=no,color=no}"

pid_of() { cat "$SERVICE_DIR/$1.pid" 2>/dev/null; }
alive() { local p; p=$(pid_of "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# Closes every descriptor above stderr in the current (sub)shell: a service must not keep its
# launcher's pipes open (whoever runs this script would otherwise wait for the services to end).
close_inherited_descriptors() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd="${fd##*/}"
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

# launch NAME BINARY: starts BINARY in the background with its pid in NAME.pid, and a watcher that
# appends how it ended (exit status or signal) to NAME.log, so a service that dies is never silent.
launch() {
  local name="$1" bin="$2" log="$SERVICE_DIR/$1.log" pidfile="$SERVICE_DIR/$1.pid"
  rm -f "$pidfile"
  ( close_inherited_descriptors
    nohup "$bin" >>"$log" 2>&1 </dev/null &
    child=$!
    echo "$child" >"$pidfile"
    code=0
    wait "$child" || code=$?
    if [ "$code" -gt 128 ]; then how="killed by signal $((code - 128)) (SIG$(kill -l $((code - 128))))"; else how="exited with status $code"; fi
    printf '%s [ressus-local] ressus-%s (pid %s) %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S%z)" "$name" "$child" "$how" >>"$log"
  ) </dev/null >/dev/null 2>&1 &
  local i=0
  until [ -s "$pidfile" ] || [ "$i" -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
}

start() {
  local bin_dir="${1:-$REPO_ROOT/.build/debug}"
  [ -f "$SERVICE_ENV_FILE" ] || die "infrastructure not started (run deploy/local/infra.sh start)"
  # shellcheck disable=SC1090
  source "$SERVICE_ENV_FILE"
  mkdir -p "$SERVICE_DIR"
  for s in "${SERVICES[@]}"; do
    if alive "$s"; then log "$s already running (pid $(pid_of "$s"))"; continue; fi
    [ -x "$bin_dir/ressus-$s" ] || die "missing executable $bin_dir/ressus-$s (run make build)"
    : >"$SERVICE_DIR/$s.log"
    launch "$s" "$bin_dir/ressus-$s"
  done
  for s in "${SERVICES[@]}"; do
    wait_for "grep -q 'service ready' '$SERVICE_DIR/$s.log'" 60 \
      || { tail -20 "$SERVICE_DIR/$s.log" >&2; die "$s did not become ready; log: $SERVICE_DIR/$s.log"; }
    alive "$s" || die "$s exited; log: $SERVICE_DIR/$s.log"
    log "$s ready (pid $(pid_of "$s"))"
  done
}

stop() {
  local failed=0
  for s in "${SERVICES[@]}"; do
    alive "$s" || { rm -f "$SERVICE_DIR/$s.pid"; continue; }
    local pid; pid=$(pid_of "$s")
    kill -TERM "$pid"
    local i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((GRACE_SECONDS * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid"; failed=1
      log "$s did not stop within ${GRACE_SECONDS}s: killed"
    elif grep -q 'service stopped' "$SERVICE_DIR/$s.log"; then
      log "$s stopped cleanly"
    else
      failed=1; log "$s exited without a clean shutdown; log: $SERVICE_DIR/$s.log"
    fi
    rm -f "$SERVICE_DIR/$s.pid"
  done
  return "$failed"
}

status() {
  for s in "${SERVICES[@]}"; do
    if alive "$s"; then echo "$s: running (pid $(pid_of "$s"))"; else echo "$s: stopped"; fi
  done
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [BIN_DIR]|stop|status" >&2; exit 2 ;;
esac
