#!/usr/bin/env bash
# Validates the deployment files offline (no Docker engine needed) and runs the five services with
# the environment docker-compose.yml sets, against the local database and broker:
#   deploy/validate.sh [--bin-dir DIR] [--static-only] [--compose FILE] [--k8s DIR]
# Needs the Python tools of deploy/local/bootstrap.sh and, unless --static-only, the local
# infrastructure (deploy/local/infra.sh start) and built services (make build).
# Steps and options: deploy/validation/__main__.py. Exit status 0 only when every check passes.
source "$(dirname "${BASH_SOURCE[0]}")/local/common.sh"

python="$LOCAL_PREFIX/python/bin/python"
[ -x "$LOCAL_PREFIX/python/bin/kubernetes-validate" ] && [ -x "$LOCAL_PREFIX/python/bin/check-jsonschema" ] \
  || die "validation tools missing: run deploy/local/bootstrap.sh"
if [ -z "${RESSUS_DATABASE_URL:-}" ] && [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  source "$ENV_FILE"
fi
cd "$REPO_ROOT"
export PYTHONDONTWRITEBYTECODE=1  # keep deploy/validation free of __pycache__
exec "$python" -m deploy.validation "$@"
