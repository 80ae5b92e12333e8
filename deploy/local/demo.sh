#!/usr/bin/env bash
# The demo: one full billing cycle of the five services under the shared simulated clock, from the
# import of operadoras and an ABI to the repasse to the FNS, then a summary in Portuguese.
#
#   demo.sh          run the cycle (services stopped at the end unless RESSUS_DEMO_KEEP_RUNNING=1)
#   demo.sh stop     stop the demo's services and broker (what RESSUS_DEMO_KEEP_RUNNING=1 left up)
#   demo.sh clean    stop them and remove the run's database and directory
#
# Clean state on every run, without touching anything else on the machine: the demo runs its own
# Tansu broker (memory storage, fresh topics, consumer groups and clock on each run) and its own
# database (`ressus_demo`, dropped and created again) in the local PostgreSQL. The services have no
# topic or consumer-group prefixes, so sharing the broker of `make infra` would mix the demo with
# whatever else uses it (tests, another run), and restarting that broker would break them.
# RESSUS_DEMO_ID (default `demo`) names the run's directory ($RUN_DIR/<id>) and database
# (ressus_<id>), so two runs can coexist (deploy/local/demo-check.sh uses it).
#
# The CLI and the services use RESSUS_CLOCK=simulated; every wait polls a condition with a bound
# (clock acknowledgements, then the services' outboxes, inboxes and due work), never a fixed sleep.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/isolated.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

isolated_init "${RESSUS_DEMO_ID:-demo}"
DEMO_DIR="$ISO_DIR"
DEMO_ENV="$ISO_ENV"
DEMO_DATABASE="$ISO_DATABASE"
DATA_DIR="$here/demo-data"
BIN_DIR="${RESSUS_BIN_DIR:-$REPO_ROOT/.build/debug}"
ALL_SERVICES="intake,deadlines,debt-calculator,report-publisher,fns-transfer"
WAIT_SECONDS="${RESSUS_DEMO_WAIT_SECONDS:-90}"
PSQL="$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)"

# The cycle's cast (deploy/local/demo-data/operadoras.csv) and its ABI.
ABI=90
A=123456  # ciência expressa; impugnações deferida e parcial; GRUs pagas em dia
B=234567  # ciência tácita; indeferida com recurso; GRUs pagas com atraso; cobrança pequena acumulada
C=345678  # ciência expressa; recurso deferido; GRU paga parcialmente, resto vai a CADIN e dívida ativa
D=456789  # ciência tácita; GRU parcelada (parcela 1 paga)
E=567890  # ciência tácita; GRU suspensa judicialmente
F=678901  # ciência tácita; GRU sem pagamento: CADIN e dívida ativa
FINAL_DATE=2026-10-01
PORTAL_ROOT=11222333  # raiz do CNPJ da operadora A

services() { isolated_services "$@"; }
stop_demo() { isolated_stop; }
clean_demo() { isolated_clean; }

case "${1:-}" in
  stop) stop_demo; exit ;;
  clean) clean_demo; exit ;;
  "") ;;
  *) echo "usage: $0 [stop|clean]" >&2; exit 2 ;;
esac

# ---------------------------------------------------------------------------------------------
# Output and failure

CURRENT_STEP="início"
FINISHED=0

passo() { CURRENT_STEP="$*"; echo; echo "== $*"; }
falha() {
  echo >&2
  echo "DEMO FALHOU no passo \"$CURRENT_STEP\": $*" >&2
  echo "Logs dos serviços: $DEMO_DIR/services/*.log" >&2
  exit 1
}

cleanup() {
  local status=$?
  if [ "${RESSUS_DEMO_KEEP_RUNNING:-0}" = 1 ]; then
    [ "$FINISHED" = 1 ] || echo "Serviços mantidos em execução (RESSUS_DEMO_KEEP_RUNNING=1); 'make stop' encerra." >&2
    exit "$status"
  fi
  echo
  echo "== Encerrando os serviços e o broker da demo"
  stop_demo || { echo "algum serviço não encerrou de forma limpa (logs em $DEMO_DIR/services)" >&2; [ "$status" != 0 ] || status=1; }
  exit "$status"
}

# Runs the CLI, echoing the command; a failure stops the demo with the command named.
ressus() {
  echo "\$ ressus $*"
  "$BIN_DIR/ressus" "$@" || falha "o comando 'ressus $*' terminou com status $?"
}

# Runs the CLI quietly (for values the script reads).
ressus_quieto() {
  "$BIN_DIR/ressus" "$@" || falha "o comando 'ressus $*' terminou com status $?"
}

# Runs a command the services must refuse (exit status 1), echoing it.
ressus_recusado() {
  echo "\$ ressus $*"
  local status=0
  "$BIN_DIR/ressus" "$@" || status=$?
  [ "$status" = 1 ] || falha "esperava recusa (status 1) de 'ressus $*', veio $status"
}

sql() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -tA -v ON_ERROR_STOP=1 "$RESSUS_DATABASE_URL" -c "$1"; }

# ---------------------------------------------------------------------------------------------
# Waiting for the services (bounded polling)

# Who consumes which topic (each service's `topics:` in Services/*/App/main.swift).
SUBSCRIPTIONS="('deadlines', 'ressus.notifications'), ('deadlines', 'ressus.portal.requests'),
  ('debt_calculator', 'ressus.deadlines'), ('debt_calculator', 'ressus.upstream.payments'),
  ('report_publisher', 'ressus.operadoras'), ('report_publisher', 'ressus.notifications'),
  ('report_publisher', 'ressus.deadlines'), ('report_publisher', 'ressus.debts'),
  ('fns_transfer', 'ressus.debts'), ('fns_transfer', 'ressus.notifications'), ('fns_transfer', 'ressus.deadlines')"
SCHEMAS=(intake deadlines debt_calculator report_publisher fns_transfer)

# Prints "unsent unconsumed due dead_lettered" for the business instant $1: events not yet
# published, published events some consumer has not yet taken, scheduled work due and not fired,
# events dead-lettered.
pending_work() {
  local produced="" consumed="" due="" dead=""
  for s in "${SCHEMAS[@]}"; do
    produced+="${produced:+ UNION ALL }SELECT o.event_id, o.topic, u.seq IS NULL AS sent FROM $s.outbox o LEFT JOIN $s.outbox_unsent u ON u.seq = o.seq"
    consumed+="${consumed:+ UNION ALL }SELECT '$s' AS schema, event_id FROM $s.inbox"
    due+="${due:+ + }(SELECT count(*) FROM $s.scheduled_work WHERE status = 'pending' AND due_at <= '$1'::timestamptz)"
    dead+="${dead:+ + }(SELECT count(*) FROM $s.inbox WHERE outcome = 'dead_lettered')"
  done
  sql "WITH subscriptions(schema, topic) AS (VALUES $SUBSCRIPTIONS),
         produced AS ($produced), consumed AS ($consumed)
       SELECT (SELECT count(*) FROM produced WHERE NOT sent) || ' ' ||
              (SELECT count(*) FROM produced p JOIN subscriptions s ON s.topic = p.topic
                WHERE NOT EXISTS (SELECT 1 FROM consumed c WHERE c.schema = s.schema AND c.event_id = p.event_id)) || ' ' ||
              ($due) || ' ' || ($dead)"
}

# Waits until every event is published and taken by its consumers and no work is due at $1.
aguardar_servicos() {
  local instant="$1" deadline=$((SECONDS + WAIT_SECONDS)) counts
  while :; do
    counts=$(pending_work "$instant") || falha "não foi possível ler o estado dos serviços"
    read -r unsent unconsumed due dead <<<"$counts"
    [ "$dead" = 0 ] || falha "$dead evento(s) em dead letter (ressus dlt listar)"
    [ "$unsent$unconsumed$due" = 000 ] && return 0
    [ "$SECONDS" -lt "$deadline" ] || falha "serviços não concluíram em ${WAIT_SECONDS} s: $unsent eventos não publicados, \
$unconsumed não consumidos, $due tarefas vencidas"
    sleep 0.2
  done
}

# The instant the clock was last advanced to (AAAA-MM-DDTHH:MM, Brasília).
CURRENT_INSTANT=""

# Waits until the services have processed what the commands of the current step caused.
aguardar_agora() { aguardar_servicos "$CURRENT_INSTANT:00-03:00"; }

# Advances the shared clock to $1 (AAAA-MM-DDTHH:MM, Brasília) and waits for the services.
avancar() {
  CURRENT_INSTANT="$1"
  passo "Relógio simulado: $1 — $2"
  echo "\$ ressus relogio avancar --para $1 --aguardar $ALL_SERVICES"
  ressus_quieto relogio avancar --para "$1" --aguardar "$ALL_SERVICES" --tempo-limite "$WAIT_SECONDS" >/dev/null
  aguardar_servicos "$1:00-03:00"
  echo "   todos os serviços confirmaram e processaram os eventos até $1"
}

# ---------------------------------------------------------------------------------------------
# Cycle helpers

# GRU numbers of operadora $1 in state $2.
grus_de() {
  ressus_quieto gru listar --operadora "$1" --situacao "$2" --json \
    | python3 -c 'import json, sys; print(" ".join(g["gru"] for g in json.load(sys.stdin)["grus"]))'
}

# Appends to file $1 the payments of operadora $3 on date $4, mode $2 (demo-pagamentos.py), the
# amounts read from `ressus debitos posicao` on that date.
acrescentar_pagamentos() {
  local file="$1" mode="$2" operadora="$3" date="$4"; shift 4
  local lines
  lines=$(ressus_quieto debitos posicao --operadora "$operadora" --em "$date" --json \
    | python3 "$here/demo-pagamentos.py" "$mode" "$date" "$@") || falha "pagamentos de $operadora ($mode) não montados"
  [ -n "$lines" ] || falha "nenhuma GRU aberta da operadora $operadora para pagamento $mode em $date"
  echo "$lines" >>"$file"
}

# Starts the bank-return file $1.
novo_arquivo_pagamentos() {
  printf '# Retorno bancário da demo (layout em docs/payment-files.md)\nid_pagamento;gru;valor;data_pagamento;origem\n' >"$1"
}

importar_pagamentos() {
  echo "   arquivo $1:"
  grep -v '^#' "$1" | sed 's/^/     /'
  ressus pagamentos importar "$1"
  aguardar_agora
}

# ---------------------------------------------------------------------------------------------
# The run

for s in intake deadlines debt-calculator report-publisher fns-transfer; do
  [ -x "$BIN_DIR/ressus-$s" ] || die "missing $BIN_DIR/ressus-$s (run make build)"
done
[ -x "$BIN_DIR/ressus" ] || die "missing $BIN_DIR/ressus (run make build)"
# The local PostgreSQL (make infra) hosts the demo's database; RESSUS_DATABASE_URL when run elsewhere.
if [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  source "$ENV_FILE"
fi
[ -n "${RESSUS_DATABASE_URL:-}" ] || die "infrastructure not started (run make infra)"
trap cleanup EXIT

passo "Ambiente limpo: broker próprio da demo e banco $DEMO_DATABASE recriado"
isolated_create || falha "não foi possível preparar o banco $DEMO_DATABASE e o broker da demo"
# shellcheck disable=SC1090
source "$DEMO_ENV"
echo "   banco: $RESSUS_DATABASE_URL"
echo "   broker: $RESSUS_KAFKA_BROKERS (memória; tópicos novos)"
echo "   variáveis para usar o CLI nesta demo: source $DEMO_ENV"

passo "Iniciando os cinco serviços com RESSUS_CLOCK=simulated"
services start "$BIN_DIR" || falha "os serviços não iniciaram"
services status

avancar 2026-04-18T10:00 "sábado, 18 de abril de 2026: chega o ABI 90"

passo "Cadastro de 6 operadoras"
ressus operadoras importar "$DATA_DIR/operadoras.csv"

passo "Importação do ABI 90 (17 atendimentos; 1 de operadora não cadastrada é rejeitado)"
ressus abi importar "$DATA_DIR/abi-90.csv" --relatorio "$DEMO_DIR/abi-90.rejeitados.csv" --aguardar "$WAIT_SECONDS"
echo "   relatório de rejeições:"; sed 's/^/     /' "$DEMO_DIR/abi-90.rejeitados.csv"
aguardar_agora

avancar 2026-04-22T09:00 "ciência expressa de $A e $C; impugnações"
ressus ciencia registrar --abi $ABI --operadora $A --data 2026-04-21
ressus ciencia registrar --abi $ABI --operadora $C --data 2026-04-20
for doc in 3526000000102 3526000000103; do
  ressus impugnacao registrar --abi $ABI --operadora $A --atendimento $doc --fundamento tecnico \
    --texto "Procedimento fora da cobertura contratual"
done
ressus impugnacao registrar --abi $ABI --operadora $C --atendimento 3526000000301 --fundamento administrativo \
  --texto "Beneficiário em carência na data do atendimento"
echo "   $B, $D, $E e $F não dão ciência: ciência tácita em 30/04/2026 (disponibilização + 10 dias)"

avancar 2026-06-01T09:00 "janelas de $C e $A encerradas (GRUs emitidas); impugnações de $B, decisões e recursos"
echo "   impugnação fora do prazo (janela de $A terminou em 22/05/2026) é recusada e registrada:"
ressus_recusado impugnacao registrar --abi $ABI --operadora $A --atendimento 3526000000104 --fundamento tecnico \
  --texto "Atendimento de urgência"
for doc in 3526000000201 3526000000202 3526000000204; do
  ressus impugnacao registrar --abi $ABI --operadora $B --atendimento $doc --fundamento tecnico \
    --texto "Atendimento prestado pela rede própria"
done
ressus impugnacao decidir --atendimento 3526000000102 --decisao deferida
ressus impugnacao decidir --atendimento 3526000000103 --decisao parcial --valor 800,00
ressus impugnacao decidir --atendimento 3526000000301 --decisao parcial --valor 1.000,00
ressus impugnacao decidir --atendimento 3526000000201 --decisao indeferida
ressus impugnacao decidir --atendimento 3526000000202 --decisao indeferida
ressus impugnacao decidir --atendimento 3526000000204 --decisao indeferida
for doc in 3526000000102 3526000000103 3526000000301; do
  ressus ciencia registrar --decisao $doc --data 2026-06-01
done
ressus recurso registrar --abi $ABI --operadora $C --atendimento 3526000000301 --texto "Carência comprovada por contrato"
ressus recurso registrar --abi $ABI --operadora $B --atendimento 3526000000201 --texto "Rede própria comprovada"
ressus recurso registrar --abi $ABI --operadora $B --atendimento 3526000000202 --texto "Valor da tabela divergente"
ressus recurso decidir --atendimento 3526000000301 --decisao deferida
ressus recurso decidir --atendimento 3526000000201 --decisao indeferida
ressus recurso decidir --atendimento 3526000000202 --decisao parcial --valor 500,00
ressus ciencia registrar --decisao 3526000000301 --data 2026-06-01
ressus ciencia registrar --decisao 3526000000201 --data 2026-06-01
aguardar_agora
ressus gru listar

avancar 2026-06-05T09:00 "pagamentos: $A em dia, $C parcial"
pagamentos="$DEMO_DIR/retorno-2026-06-05.csv"
novo_arquivo_pagamentos "$pagamentos"
acrescentar_pagamentos "$pagamentos" em_dia $A 2026-06-05
acrescentar_pagamentos "$pagamentos" parcial $C 2026-06-05
importar_pagamentos "$pagamentos"

avancar 2026-06-16T09:00 "GRU da decisão parcial de $A paga em dia (vencimento 16/06)"
pagamentos="$DEMO_DIR/retorno-2026-06-16.csv"
novo_arquivo_pagamentos "$pagamentos"
acrescentar_pagamentos "$pagamentos" em_dia $A 2026-06-16
importar_pagamentos "$pagamentos"

avancar 2026-07-01T09:00 "todas as decisões finais; parcelamento de $D e suspensão judicial de $E"
ressus gru listar
read -r -a grus_d <<<"$(grus_de $D emitida)"
[ "${#grus_d[@]}" -gt 0 ] || falha "nenhuma GRU emitida da operadora $D para parcelar"
ressus parcelamento solicitar --operadora $D --gru "${grus_d[@]}" --parcelas 6
read -r -a grus_e <<<"$(grus_de $E emitida)"
[ "${#grus_e[@]}" -gt 0 ] || falha "nenhuma GRU emitida da operadora $E para suspender"
ressus suspensao registrar --gru "${grus_e[0]}" --processo 5012345-67.2026.4.02.5101
aguardar_agora

avancar 2026-07-15T09:00 "pagamentos: $B com atraso (multa e juros), parcela 1 de $D"
pagamentos="$DEMO_DIR/retorno-2026-07-15.csv"
novo_arquivo_pagamentos "$pagamentos"
acrescentar_pagamentos "$pagamentos" atraso $B 2026-07-15
acrescentar_pagamentos "$pagamentos" em_dia $D 2026-07-15 --parcelas
importar_pagamentos "$pagamentos"
ressus parcelamento listar --operadora $D

avancar 2026-08-20T09:00 "75 dias após a notificação da cobrança: CADIN; repasse de junho ao FNS (31/07)"
ressus gru listar

avancar $FINAL_DATE"T09:00" "90 dias após o vencimento: dívida ativa; repasse de julho ao FNS (31/08)"

passo "Situação final das GRUs e do parcelamento de $D (parcelas 2 e 3 não pagas no vencimento)"
ressus gru listar
ressus parcelamento listar --operadora $D

passo "Conta do portal para a operadora $A (raiz do CNPJ $PORTAL_ROOT)"
printf '%s\n' 'demo-ressus-portal-2026' >"$DEMO_DIR/senha-portal"
ressus portal conta criar --cnpj-raiz $PORTAL_ROOT --senha-arquivo "$DEMO_DIR/senha-portal"

# The summary holds no GRU numbers: GRUs released in the same clock step are numbered in the order
# the debt calculator consumes them (several partitions), which may differ between runs.
summary="$DEMO_DIR/resumo.txt"
{
  echo "==================== RESUMO DO CICLO (posição em 01/10/2026) ===================="
  echo
  echo "---- Débitos (ressus debitos resumo --em $FINAL_DATE)"
  ressus_quieto debitos resumo --em $FINAL_DATE
  echo
  echo "---- Recepção e prazos (ressus status)"
  ressus_quieto status
  for month in 2026-06 2026-07; do
    echo
    echo "---- Repasse ao FNS (ressus fns demonstrativo --mes $month)"
    ressus_quieto fns demonstrativo --mes $month
  done
  echo
  echo "---- Dados Gerais do Ressarcimento ao SUS (ressus dados-gerais)"
  ressus_quieto dados-gerais
  echo
  # Exits 1 (and fails the demo) when a month does not reconcile, to the centavo.
  echo "---- Conciliação FNS: arrecadado = repassado + pendente = liquidado nos eventos (ressus fns conciliar --eventos)"
  ressus_quieto fns conciliar --eventos 2>/dev/null
  echo
  echo "==================== FIM DO RESUMO ===================="
} >"$summary"
echo
cat "$summary"

portal="http://127.0.0.1:$RESSUS_REPORT_PUBLISHER_HTTP_PORT/portal"
publico="http://127.0.0.1:$RESSUS_FNS_TRANSFER_HTTP_PORT/publico/dados-gerais"
cat <<TEXT

Para ver mais (com os serviços em execução: RESSUS_DEMO_KEEP_RUNNING=1 make demo):
  source $DEMO_ENV                       # banco, broker e relógio simulado da demo
  .build/debug/ressus debitos posicao --operadora $C --em $FINAL_DATE      # posição atualizada, memória de cálculo com --json
  .build/debug/ressus gru listar                                          # todas as GRUs
  .build/debug/ressus fns conciliar                                       # arrecadado = repassado + pendente
  Portal das operadoras: $portal
    entrar com a raiz do CNPJ $PORTAL_ROOT e a senha em $DEMO_DIR/senha-portal
    (outra conta: printf '%s\n' 'uma-senha-longa-e-forte' > /tmp/senha;
     .build/debug/ressus portal conta criar --cnpj-raiz 12ABC345 --senha-arquivo /tmp/senha)
  Página pública do FNS: $publico (CSV: ${publico}.csv)
  Resumo desta execução: $summary
TEXT
FINISHED=1
if [ "${RESSUS_DEMO_KEEP_RUNNING:-0}" = 1 ]; then
  echo; echo "Serviços continuam em execução; 'make stop' (ou deploy/local/demo.sh stop) encerra."
fi
echo "Demo concluída."
