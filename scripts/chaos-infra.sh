#!/usr/bin/env bash
# Infrastructure restart harness (issue 10): the same seeded load replayed twice through the five
# services on isolated stacks (deploy/local/carga.sh): once undisturbed, once while the run's
# PostgreSQL is stopped and started again during the burst (its own cluster, so nobody else's
# database goes down) and, later, the run's Tansu broker is stopped and started again, empty (memory
# storage: topics, records and committed offsets are gone; it comes back with a new cluster id).
# The services recover on their own (Shared/Runtime/Messaging/BrokerWatch.swift: topics recreated,
# outboxes republished, consumers start over, clock re-published), which is what an operator relies
# on (docs/operations.md); the harness only starts again a service that died, as an orchestrator
# would, and counts those restarts. Then compares both runs' figures like
# scripts/chaos.sh and prints restarts survived, events lost and duplicates; fails when any figure
# differs, a restart did not happen or a service died.
#   scripts/chaos-infra.sh [ATENDIMENTOS] [OPERADORAS]     default 10000 and 100
# Environment: RESSUS_CHAOS_PG_DOWN (seconds PostgreSQL stays down, 8), RESSUS_CHAOS_BROKER_DOWN
# (seconds the broker stays down, 5), RESSUS_CHAOS_BROKER_AFTER (seconds after the impugnação window
# closes, i.e. while GRUs are issued, 3), RESSUS_BIN_DIR (default .build/debug).
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/common.sh"
source "$REPO_ROOT/deploy/local/isolated.sh"
source "$REPO_ROOT/scripts/chaos-lib.sh"

ATENDIMENTOS="${1:-10000}"
OPERADORAS="${2:-100}"
PG_DOWN="${RESSUS_CHAOS_PG_DOWN:-8}"
BROKER_DOWN="${RESSUS_CHAOS_BROKER_DOWN:-5}"
BROKER_AFTER="${RESSUS_CHAOS_BROKER_AFTER:-3}"
BIN_DIR="${RESSUS_BIN_DIR:-$REPO_ROOT/.build/debug}"
RESULTS="${RESSUS_CHAOS_RESULTS:-$REPO_ROOT/benchmark-results/chaos-infra-$ATENDIMENTOS}"
INFRA="$REPO_ROOT/deploy/local/infra.sh"
ID=chaos_infra
PG_DIR="$RUN_DIR/${ID}_pg"  # outside the run's directory, which carga.sh recreates
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.died-*.log
export RESSUS_BIN_DIR="$BIN_DIR"

if [ "${RESSUS_CHAOS_REUSE_BASE:-0}" = 1 ] && [ -f "$RESULTS/base/resultado.json" ]; then
  log "reusing the undisturbed run in $RESULTS/base"
else
  chaos_base chaos_infra_base
  chaos_clean chaos_infra_base  # its database is in the shared cluster: dropped before switching
fi

# The disturbed run's own PostgreSQL cluster (stopping the shared one would hit everybody).
trap 'bash "$INFRA" stop-postgres "$PG_DIR" || true' EXIT
pg_port=$(bash "$INFRA" start-postgres "$PG_DIR" | tail -1) || die "the run's PostgreSQL did not start"
export ISOLATED_ADMIN_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"

# Waits until the replay's output ($RESULTS/kill.out) has a progress line after $2 lines matching
# $1 (awk regular expression; 0: any progress line matching $1); false when told to stop.
await_output() {
  until awk -v n="${2:-0}" -v re="$1" 'n == 0 && /^\[ *[0-9.]+ s\]/ && $0 ~ re { found = 1 }
        n > 0 && $0 ~ re { c++ } n > 0 && c >= n && /^\[ *[0-9.]+ s\]/ { found = 1 } END { exit !found }' \
        "$RESULTS/kill.out" 2>/dev/null; do
    [ ! -f "$RESULTS/stop-disturbing" ] || return 1
    sleep 0.2
  done
}

# Once every atendimento is in intake (the import commands, which write to the database directly,
# are done) and notifications flow through the services: PostgreSQL down for PG_DOWN s. Once the impugnação window has
# closed (the third clock advance, confirmed by every service) and BROKER_AFTER s more: the broker down for BROKER_DOWN s, back empty.
# One line per restart in $RESULTS/restarts.txt.
disturber() {
  isolated_init "$ID"
  : >"$RESULTS/restarts.txt"
  local all; all=$(python3 -c "print(f'{$ATENDIMENTOS:,}'.replace(',', '\\\\.'))")
  await_output "recebidos $all " 0 || return 0
  bash "$INFRA" stop-postgres "$PG_DIR"
  echo "$(date +%T) postgres stopped" >>"$RESULTS/restarts.txt"
  sleep "$PG_DOWN"
  bash "$INFRA" start-postgres "$PG_DIR" >/dev/null
  echo "$(date +%T) postgres started" >>"$RESULTS/restarts.txt"
  await_output 'Relógio simulado' 3 || return 0
  sleep "$BROKER_AFTER"
  bash "$INFRA" stop-broker "$ISO_DIR"
  echo "$(date +%T) broker stopped" >>"$RESULTS/restarts.txt"
  sleep "$BROKER_DOWN"
  bash "$INFRA" start-broker "$ISO_DIR" >/dev/null
  echo "$(date +%T) broker started (empty)" >>"$RESULTS/restarts.txt"
}

# What an orchestrator does (compose `restart: unless-stopped`, a Kubernetes Deployment): starts
# again a service that died, one line per restart in $RESULTS/supervisor.txt.
supervisor() {
  isolated_init "$ID"
  : >"$RESULTS/supervisor.txt"
  local s pid
  while [ ! -f "$RESULTS/stop-disturbing" ]; do
    sleep 1
    for s in "${CHAOS_SERVICES[@]}"; do
      pid=$(cat "$ISO_DIR/services/$s.pid" 2>/dev/null) || continue
      kill -0 "$pid" 2>/dev/null && continue
      # Stopped on purpose (the end of the run): not a death.
      tail -n 20 "$ISO_DIR/services/$s.log" | grep -q 'shutting down\|service stopped' && continue
      [ ! -f "$RESULTS/stop-disturbing" ] || break
      echo "$(date +%T) $s $pid" >>"$RESULTS/supervisor.txt"
      cp "$ISO_DIR/services/$s.log" "$RESULTS/$s.died-$pid.log" 2>/dev/null || true
      isolated_services start "$BIN_DIR" >>"$RESULTS/supervisor.log" 2>&1 || log "restart of $s failed (see $RESULTS/supervisor.log)"
    done
  done
}

# The restarts, then the supervisor, both in the background of the disturbed run.
disturb() {
  supervisor &
  local supervisor_pid=$!
  disturber
  wait "$supervisor_pid"
}

log "disturbed run: PostgreSQL restarted during the burst (down ${PG_DOWN} s), broker restarted empty while GRUs are issued (down ${BROKER_DOWN} s)"
chaos_disturbed "$ID" disturb
grep ' started' "$RESULTS/restarts.txt" >"$RESULTS/restarts-done.txt" || true
CHAOS_WHAT=restarts chaos_compare "$RESULTS/restarts-done.txt" 2 postgres broker
# A service must survive both restarts by itself: one that died (and was started again by the
# supervisor) fails the run, with how it ended (services.sh writes it as the log's last line).
DEATHS=$(grep -c . "$RESULTS/supervisor.txt" || true)
echo "services that died and were started again by the supervisor: $DEATHS (must be 0)" \
  "$(awk '{print $2}' "$RESULTS/supervisor.txt" | sort | uniq -c | awk '{printf "(%s %s) ", $2, $1}')"
for died in "$RESULTS"/*.died-*.log; do
  [ -f "$died" ] || continue
  echo "  $(basename "$died" .log): $(grep -h 'ressus-local\] ressus-' "$died" | tail -1)"
done
[ "$DEATHS" = 0 ] || STATUS=1
grep -h 'lost its data\|republishing the outbox\|from the beginning\|re-published' "$RUN_DIR/$ID"/services/*.log \
  >"$RESULTS/recovery.log" 2>/dev/null || true
chaos_clean "$ID"
exit "$STATUS"
