#!/usr/bin/env bash
# Runs the demo twice (each from a clean state: its own broker and database) and checks that both
# runs print the same summary (counts and totals per state). Exit status 1 when they differ.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

summaries=()
for run in 1 2; do
  id="demo_check_$run"
  log "demo run $run of 2 (RESSUS_DEMO_ID=$id)"
  start=$SECONDS
  RESSUS_DEMO_ID="$id" RESSUS_DEMO_KEEP_RUNNING=0 bash "$here/demo.sh" >"$RUN_DIR/$id.out" 2>&1 \
    || { tail -30 "$RUN_DIR/$id.out" >&2; die "demo run $run failed; output: $RUN_DIR/$id.out"; }
  log "demo run $run took $((SECONDS - start)) s; output: $RUN_DIR/$id.out"
  # The summary is copied out of the run's directory: the demo removes it at its next start.
  cp "$RUN_DIR/$id/resumo.txt" "$RUN_DIR/$id.resumo.txt"
  summaries+=("$RUN_DIR/$id.resumo.txt")
done
if diff -u "${summaries[0]}" "${summaries[1]}"; then
  log "the two runs printed the same summary ($(wc -l <"${summaries[0]}") lines)"
else
  die "the two runs printed different summaries (diff above)"
fi
