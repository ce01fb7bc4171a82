#!/usr/bin/env bash
# A scripted authorization-server outage through a real `tokencache serve`, on 127.0.0.1 only and bounded in
# time: counts the upstream requests the outage receives and the share of clients still served.
#   usage: bench/outage.sh [--throttle] [--outage SECONDS] [--jar PATH]
#   --throttle: the upstream answers 429 with Retry-After: 30 instead of 503
#   --jar: the tokencache.jar to measure (default: this checkout's; give an older build to compare)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$root/server/target/tokencache.jar"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
work="$(mktemp -d)"
cleanup() { kill $(jobs -p) 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[ -f "$jar" ] || "$root/tokencache" version >/dev/null
[ -f "$root/benchmarks/target/benchmarks.jar" ] || (cd "$root" && ./mvnw -B -q -Pbench -DskipTests package)
upstream_port=$(free_port); proxy_port=$(free_port)
java -jar "$jar" serve --upstream-token-url "http://127.0.0.1:$upstream_port/oauth2/token" \
  --server-host 127.0.0.1 --server-port "$proxy_port" --admin-port 0 --log-access off >"$work/proxy.log" 2>&1 &
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$proxy_port/" && break; sleep 0.1; done
java -cp "$root/benchmarks/target/benchmarks.jar" dev.tokencache.bench.OutageRun "$upstream_port" \
  "http://127.0.0.1:$proxy_port/oauth2/token" "${args[@]}"
echo "proxy log lines: $(wc -l < "$work/proxy.log") (WARN: $(grep -c WARN "$work/proxy.log" || true))"
