#!/usr/bin/env bash
# Runs the demo twice (each from a clean state: its own broker and database) and checks that both
# runs print the same summary (counts and totals per state). Exit status 1 when they differ.
# RESSUS_DEMO_CHECK_ID (default demo_check) names the two runs (<id>_1, <id>_2: directories under
# $RUN_DIR and databases); their databases and directories are removed at the end, their output and
# summaries kept as $RUN_DIR/<id>_N.out and .resumo.txt.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

summaries=()
for run in 1 2; do
  id="${RESSUS_DEMO_CHECK_ID:-demo_check}_$run"
  log "demo run $run of 2 (RESSUS_DEMO_ID=$id)"
  start=$SECONDS
  RESSUS_DEMO_ID="$id" RESSUS_DEMO_KEEP_RUNNING=0 bash "$here/demo.sh" >"$RUN_DIR/$id.out" 2>&1 \
    || { tail -30 "$RUN_DIR/$id.out" >&2; die "demo run $run failed; output: $RUN_DIR/$id.out"; }
  log "demo run $run took $((SECONDS - start)) s; output: $RUN_DIR/$id.out"
  # The summary is copied out of the run's directory: the demo removes it at its next start.
  cp "$RUN_DIR/$id/resumo.txt" "$RUN_DIR/$id.resumo.txt"
  summaries+=("$RUN_DIR/$id.resumo.txt")
  RESSUS_DEMO_ID="$id" bash "$here/demo.sh" clean >/dev/null 2>&1 || log "could not remove the database and directory of $id"
done
if diff -u "${summaries[0]}" "${summaries[1]}"; then
  log "the two runs printed the same summary ($(wc -l <"${summaries[0]}") lines)"
else
  die "the two runs printed different summaries (diff above)"
fi
