#!/usr/bin/env bash
# Load replay (issue 9): generates a load (`ressus carga gerar`, seeded) and replays it through the
# five services on an isolated stack (own broker and database, simulated clock) with
# `ressus carga reproduzir`, which prints progress and the figures and writes resultado.json/.svg.
#   carga.sh [ATENDIMENTOS] [OPERADORAS] [REPRODUZIR OPTIONS...]
#                                          default 100000 atendimentos, 700 operadoras; further arguments go
#                                          to `ressus carga reproduzir` (e.g. --taxa 9000 --ondas 4); the run's
#                                          database and data stay for inspection afterwards
#   carga.sh clean                         drop the run's database and directory
# Environment: RESSUS_CARGA_ID (run id, default carga), RESSUS_CARGA_RESULTS (results directory,
# default benchmark-results/carga-<atendimentos>), RESSUS_CARGA_SEED (default 1), RESSUS_CARGA_ABIS (ABI
# files generated, default 4), RESSUS_CARGA_IMPUGNACOES (atendimentos impugned, per mille, default 100; 0 replays
# no impugnações), RESSUS_BIN_DIR.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/isolated.sh"

if [ "${1:-}" = clean ]; then isolated_init "${RESSUS_CARGA_ID:-carga}"; isolated_clean; exit; fi
ATENDIMENTOS="${1:-100000}"
OPERADORAS="${2:-700}"
shift $(($# < 2 ? $# : 2))
BIN_DIR="${RESSUS_BIN_DIR:-$REPO_ROOT/.build/debug}"
isolated_init "${RESSUS_CARGA_ID:-carga}"
RESULTS="${RESSUS_CARGA_RESULTS:-$REPO_ROOT/benchmark-results/carga-$ATENDIMENTOS}"
DATA="$ISO_DIR/dados"

for s in ressus ressus-intake ressus-deadlines ressus-debt-calculator ressus-report-publisher ressus-fns-transfer; do
  [ -x "$BIN_DIR/$s" ] || die "missing $BIN_DIR/$s (run make build)"
done
trap 'isolated_stop || true' EXIT

isolated_create
"$BIN_DIR/ressus" carga gerar --saida "$DATA" --atendimentos "$ATENDIMENTOS" --operadoras "$OPERADORAS" \
  --semente "${RESSUS_CARGA_SEED:-1}" --abis "${RESSUS_CARGA_ABIS:-4}" --impugnacoes "${RESSUS_CARGA_IMPUGNACOES:-100}" >&2
isolated_services start "$BIN_DIR"
# shellcheck disable=SC1090
source "$ISO_ENV"
"$BIN_DIR/ressus" carga reproduzir --dados "$DATA" --resultados "$RESULTS" --servicos-pid "$ISO_DIR/services" "$@"
