#!/usr/bin/env bash
# Server load benchmark on 127.0.0.1 only, bounded in time: tokencache against NGINX proxy_cache (the anchor),
# both in front of the same local issuer, both hit by wrk with the same cached request.
#   needs: wrk and nginx (Debian: apt-get install -y wrk nginx-light), Java 17+
#   usage: bench/load.sh [seconds per run, default 10] [connections, default 32]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-10}"
connections="${2:-32}"
work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  kill $(jobs -p) 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

issuer_port=$(free_port); proxy_port=$(free_port); nginx_port=$(free_port)
"$root/tokencache" version >/dev/null   # builds the jar when missing
java -jar "$root/server/target/tokencache.jar" issuer --port "$issuer_port" >"$work/issuer.log" 2>&1 &
wait_http "http://127.0.0.1:$issuer_port/.well-known/jwks.json"
java -jar "$root/server/target/tokencache.jar" serve --upstream-token-url "http://127.0.0.1:$issuer_port/oauth2/token" \
  --server-host 127.0.0.1 --server-port "$proxy_port" --admin-port 0 --log-access off >"$work/proxy.log" 2>&1 &
# as root, nginx's workers would run as www-data and could not write the cache in this private directory
user_directive=""; [ "$(id -u)" = 0 ] && user_directive="user root;"
sed -e "s#@DIR@#$work#g" -e "s#@ISSUER_PORT@#$issuer_port#g" -e "s#@NGINX_PORT@#$nginx_port#g" -e "s#@USER@#$user_directive#" \
  "$here/nginx.conf.template" > "$work/nginx.conf"
mkdir -p "$work/cache"
nginx -c "$work/nginx.conf" -p "$work" &
wait_http "http://127.0.0.1:$nginx_port/"
wait_http "http://127.0.0.1:$proxy_port/"

run() { # name url
  wrk -t2 -c"$connections" -d3s -s "$here/post.lua" "$2" >/dev/null          # warm-up (JIT, caches)
  wrk -t2 -c"$connections" -d"${seconds}s" -s "$here/post.lua" "$2" | grep '^RESULT' | sed "s/^RESULT/$1/"
}
nginx_line=$(run nginx "http://127.0.0.1:$nginx_port/oauth2/token")
proxy_line=$(run tokencache "http://127.0.0.1:$proxy_port/oauth2/token")
echo "$nginx_line"
echo "$proxy_line"
rps() { sed -E 's/.* rps=([0-9]+).*/\1/' <<<"$1"; }
p99() { sed -E 's/.* p99_ms=([0-9.]+).*/\1/' <<<"$1"; }
awk -v a="$(rps "$proxy_line")" -v b="$(rps "$nginx_line")" -v c="$(p99 "$proxy_line")" -v d="$(p99 "$nginx_line")" \
  'BEGIN { printf "ratio tokencache/nginx: throughput %.2f, p99 latency %.2f\n", a / b, c / d }'
echo "issuer token requests: $(curl -s "http://127.0.0.1:$issuer_port/metrics" | awk '/^tokencache_issuer_token_requests_total/ {print $2}')"
