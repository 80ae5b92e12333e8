#!/usr/bin/env bash
# The demo: starts the five services against the local broker and database, shows them running,
# then stops them cleanly (RESSUS_DEMO_KEEP_RUNNING=1 leaves them up; `make stop` stops them).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
here="$(dirname "${BASH_SOURCE[0]}")"

# shellcheck disable=SC1090
source "$ENV_FILE"
echo "== Infraestrutura local"
bash "$here/infra.sh" status
echo
echo "== Iniciando os cinco serviços"
bash "$here/services.sh" start
echo
echo "== Serviços em execução"
bash "$here/services.sh" status
echo
for s in intake deadlines debt-calculator report-publisher fns-transfer; do
  echo "-- $s (últimas linhas do log)"
  tail -n 3 "$RUN_DIR/services/$s.log"
done
if [ "${RESSUS_DEMO_KEEP_RUNNING:-0}" = 1 ]; then
  echo; echo "Serviços continuam em execução; 'make stop' para encerrar."
  exit 0
fi
echo
echo "== Encerrando os serviços (SIGTERM)"
bash "$here/services.sh" stop
echo "Demo concluída."
