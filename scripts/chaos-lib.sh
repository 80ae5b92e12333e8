# Shared parts of the crash harnesses (sourced by scripts/chaos.sh and scripts/chaos-infra.sh after
# deploy/local/common.sh and isolated.sh): the undisturbed run, the disturbed run with a
# disturber in the background, and the comparison.
CHAOS_SERVICES=(intake deadlines debt-calculator report-publisher fns-transfer)

# chaos_run ID NAME: one load replay (carga.sh) as run ID, results in $RESULTS/NAME, output in
# $RESULTS/NAME.out; returns its status.
chaos_run() {
  RESSUS_CARGA_ID="$1" RESSUS_CARGA_RESULTS="$RESULTS/$2" \
    bash "$REPO_ROOT/deploy/local/carga.sh" "$ATENDIMENTOS" "$OPERADORAS" >"$RESULTS/$2.out" 2>&1
}

# chaos_base ID: the undisturbed run; dies when it fails.
chaos_base() {
  log "undisturbed run ($ATENDIMENTOS atendimentos)"
  chaos_run "$1" base || { tail -30 "$RESULTS/base.out" >&2; die "the undisturbed run failed (log: $RESULTS/base.out)"; }
}

# chaos_disturbed ID FUNCTION: the disturbed run ID ($RESULTS/kill), FUNCTION running in the
# background once the run's services are up until $RESULTS/stop-disturbing exists; sets STATUS.
chaos_disturbed() {
  local id="$1" disturber="$2" pid
  rm -f "$RESULTS/stop-disturbing"
  ( until [ -f "$RUN_DIR/$id/services/fns-transfer.pid" ] && grep -q 'service ready' "$RUN_DIR/$id/services/fns-transfer.log" 2>/dev/null; do sleep 0.5; done
    "$disturber" ) &
  pid=$!
  STATUS=0
  chaos_run "$id" kill || STATUS=$?
  touch "$RESULTS/stop-disturbing"
  wait "$pid" || true
  [ "$STATUS" = 0 ] || { tail -30 "$RESULTS/kill.out" >&2; log "the disturbed run failed (log: $RESULTS/kill.out)"; }
}

# chaos_compare EVENTS MIN NAME...: compares the runs (scripts/chaos-compare.py); sets STATUS on failure.
chaos_compare() {
  python3 "$REPO_ROOT/scripts/chaos-compare.py" "$RESULTS/base/resultado.json" "$RESULTS/kill/resultado.json" "$@" || STATUS=1
}

# chaos_clean ID...: keeps the services' logs of the runs, then drops the runs' databases.
chaos_clean() {
  local id
  for id in "$@"; do mkdir -p "$RESULTS/logs-$id"; cp "$RUN_DIR/$id"/services/*.log "$RESULTS/logs-$id/" 2>/dev/null || true; done
  for id in "$@"; do RESSUS_CARGA_ID=$id bash "$REPO_ROOT/deploy/local/carga.sh" clean >/dev/null 2>&1 || true; done
}
