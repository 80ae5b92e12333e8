#!/usr/bin/env bash
# Container health check without curl: GET http://127.0.0.1:PORT/PATH over bash's /dev/tcp,
# healthy only on HTTP 200.
#   ressus-healthcheck PORT [PATH]      (PATH defaults to /health/ready)
set -euo pipefail
port="${1:?usage: ressus-healthcheck PORT [PATH]}"
path="${2:-/health/ready}"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || { echo "no answer on port $port" >&2; exit 1; }
exec 3<&-
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "$path: ${status%$'\r'}" >&2; exit 1 ;;
esac
