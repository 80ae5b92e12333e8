# An isolated stack for one run (sourced after common.sh, not executed): its own Tansu broker
# (memory storage: fresh topics, consumer groups and clock) and its own database `ressus_<id>` in
# the local PostgreSQL, with the five services under the simulated clock. Used by demo.sh and carga.sh.
#   isolated_init ID        names the run: ISO_DIR ($RUN_DIR/ID), ISO_ENV, ISO_DATABASE (ressus_ID)
#   isolated_create         (re)creates the database, starts the broker, writes ISO_ENV
#   isolated_services ARGS  deploy/local/services.sh ARGS for this run's services
#   isolated_stop           stops the run's services and broker
#   isolated_clean          stops them and drops the database and directory
ISOLATED_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ISOLATED_PSQL="$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)"

isolated_init() {
  [[ "$1" =~ ^[a-z0-9_]+$ ]] || die "run id must be lowercase letters, digits and _"
  ISO_DIR="$RUN_DIR/$1"
  ISO_ENV="$ISO_DIR/env.sh"
  ISO_DATABASE="ressus_$1"
}

isolated_admin_sql() {
  # shellcheck disable=SC1090
  [ -n "${ISOLATED_ADMIN_URL:-}" ] || { source "$ENV_FILE"; ISOLATED_ADMIN_URL="$RESSUS_DATABASE_URL"; }
  PGOPTIONS="-c client_min_messages=warning" "$ISOLATED_PSQL" -X -q -v ON_ERROR_STOP=1 "$ISOLATED_ADMIN_URL" -c "$1"
}

isolated_services() { RESSUS_SERVICE_DIR="$ISO_DIR/services" RESSUS_SERVICE_ENV_FILE="$ISO_ENV" bash "$ISOLATED_HERE/services.sh" "$@"; }

isolated_stop() {
  local failed=0
  if [ -d "$ISO_DIR/services" ]; then isolated_services stop || failed=1; fi
  bash "$ISOLATED_HERE/infra.sh" stop-broker "$ISO_DIR"
  return "$failed"
}

isolated_clean() {
  isolated_stop || true
  isolated_admin_sql "DROP DATABASE IF EXISTS $ISO_DATABASE WITH (FORCE)"
  rm -rf "$ISO_DIR"
}

isolated_create() {
  [ -f "$ENV_FILE" ] || die "infrastructure not started (run make infra)"
  isolated_stop >/dev/null 2>&1 || true
  rm -rf "$ISO_DIR"
  mkdir -p "$ISO_DIR"
  isolated_admin_sql "DROP DATABASE IF EXISTS $ISO_DATABASE WITH (FORCE)"
  isolated_admin_sql "CREATE DATABASE $ISO_DATABASE"
  local brokers
  brokers=$(bash "$ISOLATED_HERE/infra.sh" start-broker "$ISO_DIR" | tail -1) || die "the run's broker did not start"
  cat >"$ISO_ENV" <<ENV
# Written by deploy/local/isolated.sh: this run's own database and broker, simulated clock.
export RESSUS_DATABASE_URL="${ISOLATED_ADMIN_URL%/*}/$ISO_DATABASE"
export RESSUS_KAFKA_BROKERS="$brokers"
export RESSUS_CLOCK=simulated
export RESSUS_PORTAL_INSECURE_COOKIES=1
export RESSUS_REPORT_PUBLISHER_HTTP_PORT=$(free_port)
export RESSUS_FNS_TRANSFER_HTTP_PORT=$(free_port)
ENV
}
