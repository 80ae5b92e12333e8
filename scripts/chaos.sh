#!/usr/bin/env bash
# Crash harness (issue 10): the same seeded load replayed twice through the five services on
# isolated stacks (deploy/local/carga.sh): once undisturbed, once while a random service is killed
# with SIGKILL at random moments and restarted. Compares the two runs' figures (counts and totals
# per state, reconciliation) and prints kills survived, events lost and duplicates; fails when any
# differs, when the disturbed run does not reconcile, or when fewer than MIN_KILLS kills (or not
# every service) happened.
#   scripts/chaos.sh [ATENDIMENTOS] [OPERADORAS]     default 20000 and 200
# Environment: RESSUS_CHAOS_MIN_KILLS (20), RESSUS_CHAOS_MAX_PAUSE (seconds between kills, 6),
# RESSUS_CHAOS_SEED (random seed of the kills, 1), RESSUS_BIN_DIR (default .build/debug).
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/common.sh"
source "$REPO_ROOT/deploy/local/isolated.sh"

ATENDIMENTOS="${1:-20000}"
OPERADORAS="${2:-200}"
MIN_KILLS="${RESSUS_CHAOS_MIN_KILLS:-20}"
MAX_PAUSE="${RESSUS_CHAOS_MAX_PAUSE:-6}"
BIN_DIR="${RESSUS_BIN_DIR:-$REPO_ROOT/.build/debug}"
RESULTS="${RESSUS_CHAOS_RESULTS:-$REPO_ROOT/benchmark-results/chaos-$ATENDIMENTOS}"
SERVICES=(intake deadlines debt-calculator report-publisher fns-transfer)
mkdir -p "$RESULTS"
export RESSUS_BIN_DIR="$BIN_DIR"

log "undisturbed run ($ATENDIMENTOS atendimentos)"
RESSUS_CARGA_ID=chaos_base RESSUS_CARGA_RESULTS="$RESULTS/base" \
  bash "$REPO_ROOT/deploy/local/carga.sh" "$ATENDIMENTOS" "$OPERADORAS" >"$RESULTS/base.out" 2>&1 \
  || { tail -30 "$RESULTS/base.out" >&2; die "the undisturbed run failed (log: $RESULTS/base.out)"; }

# Kills a random running service every 1..MAX_PAUSE seconds and restarts it, until told to stop;
# one line per kill in $RESULTS/kills.txt.
killer() {
  isolated_init chaos_kill
  local pid_dir="$ISO_DIR/services"
  RANDOM="${RESSUS_CHAOS_SEED:-1}"
  : >"$RESULTS/kills.txt"
  while [ ! -f "$RESULTS/stop-killing" ]; do
    sleep $((RANDOM % MAX_PAUSE + 1))
    local s="${SERVICES[$((RANDOM % ${#SERVICES[@]}))]}" pid
    pid=$(cat "$pid_dir/$s.pid" 2>/dev/null) || continue
    kill -0 "$pid" 2>/dev/null || continue
    [ ! -f "$RESULTS/stop-killing" ] || break
    kill -KILL "$pid" && echo "$(date +%T) $s $pid" >>"$RESULTS/kills.txt"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    cp "$pid_dir/$s.log" "$RESULTS/$s.killed-$pid.log" 2>/dev/null || true
    isolated_services start "$BIN_DIR" >>"$RESULTS/restarts.log" 2>&1 || log "restart of $s failed (see $RESULTS/restarts.log)"
  done
}

log "disturbed run: SIGKILL of a random service every 1-$MAX_PAUSE s"
rm -f "$RESULTS/stop-killing"
( # Starts killing once the services of the run are up.
  until [ -f "$RUN_DIR/chaos_kill/services/fns-transfer.pid" ] && grep -q 'service ready' "$RUN_DIR/chaos_kill/services/fns-transfer.log" 2>/dev/null; do sleep 0.5; done
  killer
) &
killer_pid=$!
status=0
RESSUS_CARGA_ID=chaos_kill RESSUS_CARGA_RESULTS="$RESULTS/kill" \
  bash "$REPO_ROOT/deploy/local/carga.sh" "$ATENDIMENTOS" "$OPERADORAS" >"$RESULTS/kill.out" 2>&1 || status=$?
touch "$RESULTS/stop-killing"
wait "$killer_pid" || true
[ "$status" = 0 ] || { tail -30 "$RESULTS/kill.out" >&2; log "the disturbed run failed (log: $RESULTS/kill.out)"; }

python3 "$REPO_ROOT/scripts/chaos-compare.py" "$RESULTS/base/resultado.json" "$RESULTS/kill/resultado.json" \
  "$RESULTS/kills.txt" "$MIN_KILLS" "${SERVICES[@]}" || status=1
# Keep the services' logs of both runs (a crash shows there), then drop the runs' databases.
for id in chaos_base chaos_kill; do mkdir -p "$RESULTS/logs-$id"; cp "$RUN_DIR/$id"/services/*.log "$RESULTS/logs-$id/" 2>/dev/null || true; done
for id in chaos_base chaos_kill; do RESSUS_CARGA_ID=$id bash "$REPO_ROOT/deploy/local/carga.sh" clean >/dev/null 2>&1 || true; done
exit "$status"
