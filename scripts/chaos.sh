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
source "$REPO_ROOT/scripts/chaos-lib.sh"

ATENDIMENTOS="${1:-20000}"
OPERADORAS="${2:-200}"
MIN_KILLS="${RESSUS_CHAOS_MIN_KILLS:-20}"
MAX_PAUSE="${RESSUS_CHAOS_MAX_PAUSE:-6}"
BIN_DIR="${RESSUS_BIN_DIR:-$REPO_ROOT/.build/debug}"
RESULTS="${RESSUS_CHAOS_RESULTS:-$REPO_ROOT/benchmark-results/chaos-$ATENDIMENTOS}"
SERVICES=("${CHAOS_SERVICES[@]}")
mkdir -p "$RESULTS"
export RESSUS_BIN_DIR="$BIN_DIR"

chaos_base chaos_base

# Kills a random running service every 1..MAX_PAUSE seconds and restarts it, until told to stop;
# one line per kill in $RESULTS/kills.txt.
killer() {
  isolated_init chaos_kill
  local pid_dir="$ISO_DIR/services"
  RANDOM="${RESSUS_CHAOS_SEED:-1}"
  : >"$RESULTS/kills.txt"
  while [ ! -f "$RESULTS/stop-disturbing" ]; do
    sleep $((RANDOM % MAX_PAUSE + 1))
    local s="${SERVICES[$((RANDOM % ${#SERVICES[@]}))]}" pid
    pid=$(cat "$pid_dir/$s.pid" 2>/dev/null) || continue
    kill -0 "$pid" 2>/dev/null || continue
    [ ! -f "$RESULTS/stop-disturbing" ] || break
    kill -KILL "$pid" && echo "$(date +%T) $s $pid" >>"$RESULTS/kills.txt"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    cp "$pid_dir/$s.log" "$RESULTS/$s.killed-$pid.log" 2>/dev/null || true
    isolated_services start "$BIN_DIR" >>"$RESULTS/restarts.log" 2>&1 || log "restart of $s failed (see $RESULTS/restarts.log)"
  done
}

log "disturbed run: SIGKILL of a random service every 1-$MAX_PAUSE s"
chaos_disturbed chaos_kill killer
chaos_compare "$RESULTS/kills.txt" "$MIN_KILLS" "${SERVICES[@]}"
chaos_clean chaos_base chaos_kill
exit "$STATUS"
