#!/usr/bin/env bash
# Server load benchmark, on 127.0.0.1 only and bounded in time. The server under test is pinned to core 0, wrk
# (one thread, 50 connections) to core 1; server CPU time comes from /proc/<pid>/stat and is divided by the
# requests wrk completed. Targets, measured in interleaved rounds in the same run, all answering the same cached
# client-credentials request with the same token:
#   nginx          NGINX proxy_cache in front of the issuer (access_log off): the anchor
#   vertx-floor    a bare Vert.x server answering the token body (the floor of a server on Vert.x's HTTP server)
#   netty-floor    Netty's HTTP decoder alone answering the same bytes as tokencache (the floor below Vert.x)
#   netty-token    tokencache's own work on a hit (parse, key, lookup, render, metrics, access log to a file) on that
#                  decoder, without Vert.x: a spike that answers hits only, the floor of any rewrite of the HTTP layer
#   tokencache     tokencache serve, default settings, access log on (stdout redirected to a file)
#   tokencache-nolog  the same with --log-access off
# Each target is warmed up first (WARMUP seconds, default 45: under this load the JIT of a JVM target still
# compiles and recompiles after 30 s, and its compile thread takes the server's core). Then the p99 of every target at the same paced load, about
# half of tokencache's maximum throughput (wrk paced with DELAY_MS).
#   needs: wrk, nginx (Debian: apt-get install -y wrk nginx-light), Java 17+, 2 cores
#   usage: [WARMUP=45] bench/load.sh [seconds per round, default 10] [rounds, default 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-10}"
rounds="${2:-3}"
warmup="${WARMUP:-45}"
connections=50
work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  kill $(jobs -p) 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
jar="$root/server/target/tokencache.jar"
[ -f "$jar" ] || "$root/tokencache" version >/dev/null
[ -f "$root/benchmarks/target/benchmarks.jar" ] || (cd "$root" && ./mvnw -B -q -Pbench -DskipTests package)
java_opts="-Xmx512m"

issuer_port=$(free_port); nginx_port=$(free_port); floor_port=$(free_port); netty_port=$(free_port); spike_port=$(free_port)
proxy_port=$(free_port); proxy_admin=$(free_port); nolog_port=$(free_port); nolog_admin=$(free_port)
# the issuer and wrk run on core 1; every server under test on core 0
taskset -c 1 java $java_opts -jar "$jar" issuer --port "$issuer_port" >"$work/issuer.log" 2>&1 &
wait_http "http://127.0.0.1:$issuer_port/.well-known/jwks.json"
token_url="http://127.0.0.1:$issuer_port/oauth2/token"
taskset -c 0 java $java_opts -jar "$jar" serve --upstream-token-url "$token_url" --server-host 127.0.0.1 \
  --server-port "$proxy_port" --admin-port "$proxy_admin" >"$work/access.log" 2>"$work/proxy.log" &
proxy_pid=$!
taskset -c 0 java $java_opts -jar "$jar" serve --upstream-token-url "$token_url" --server-host 127.0.0.1 \
  --server-port "$nolog_port" --admin-port "$nolog_admin" --log-access off >/dev/null 2>"$work/nolog.log" &
nolog_pid=$!
user_directive=""; [ "$(id -u)" = 0 ] && user_directive="user root;"
sed -e "s#@DIR@#$work#g" -e "s#@ISSUER_PORT@#$issuer_port#g" -e "s#@NGINX_PORT@#$nginx_port#g" -e "s#@USER@#$user_directive#" \
  "$here/nginx.conf.template" > "$work/nginx.conf"
mkdir -p "$work/cache"
taskset -c 0 nginx -c "$work/nginx.conf" -p "$work" &
wait_http "http://127.0.0.1:$nginx_port/"
wait_http "http://127.0.0.1:$proxy_port/"
wait_http "http://127.0.0.1:$nolog_port/"

ask() { curl -s -u demo-client:demo-secret -d grant_type=client_credentials -d scope=orders.read "$1"; }
token_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }
ask "http://127.0.0.1:$proxy_port/oauth2/token" > "$work/body.json"
expected=$(token_of < "$work/body.json")
taskset -c 0 java $java_opts -cp "$root/benchmarks/target/benchmarks.jar" dev.tokencache.bench.FixedBodyServer \
  "$floor_port" "$work/body.json" >"$work/floor.log" 2>&1 &
floor_pid=$!
taskset -c 0 java $java_opts -cp "$root/benchmarks/target/benchmarks.jar" dev.tokencache.bench.NettyFixedBodyServer \
  "$netty_port" "$work/body.json" >"$work/netty.log" 2>&1 &
netty_pid=$!
taskset -c 0 java $java_opts -cp "$root/benchmarks/target/benchmarks.jar" dev.tokencache.bench.NettyTokenServer \
  "$spike_port" "$work/body.json" >"$work/spike-access.log" 2>"$work/spike.log" &
spike_pid=$!
wait_http "http://127.0.0.1:$floor_port/"
wait_http "http://127.0.0.1:$netty_port/"
wait_http "http://127.0.0.1:$spike_port/"
nginx_worker=$(pgrep -P "$(cat "$work/nginx.pid")" nginx | head -1)

# every target must answer a token of the issuer's for this client, the same one before and after the rounds
# (each proxy fetched its own once; the floor answers tokencache's; NGINX replays what it cached)
declare -A token_before
for port in "$nginx_port" "$floor_port" "$netty_port" "$spike_port" "$proxy_port" "$nolog_port"; do
  first=$(ask "http://127.0.0.1:$port/oauth2/token" | token_of)
  again=$(ask "http://127.0.0.1:$port/oauth2/token" | token_of)
  if [ -z "$first" ] || [ "$first" != "$again" ]; then echo "port $port did not answer one cached token" >&2; exit 1; fi
  token_before[$port]=$first
done
[ "${token_before[$floor_port]}" = "$expected" ] || { echo "the floor answers another body" >&2; exit 1; }
[ "${token_before[$netty_port]}" = "$expected" ] || { echo "the Netty floor answers another body" >&2; exit 1; }
[ "${token_before[$spike_port]}" = "$expected" ] || { echo "the Netty spike answers another token" >&2; exit 1; }
upstream_count() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^tokencache_upstream_requests_total/ {s += $2} END {print s + 0}'; }
before_proxy=$(upstream_count "$proxy_admin"); before_nolog=$(upstream_count "$nolog_admin")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat"; } # the kernel's share: system calls, and on loopback the peer's TCP work
# "tid name ticks" for every thread of a process, sorted by tid (for join)
thread_ticks() {
  for task in /proc/"$1"/task/*; do
    echo "$(basename "$task") $(tr -c 'A-Za-z0-9\n-' _ < "$task/comm") $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0)"
  done | sort
}
hz=$(getconf CLK_TCK)
declare -A pid_of=([nginx]="$nginx_worker" [vertx-floor]="$floor_pid" [netty-floor]="$netty_pid" [netty-token]="$spike_pid"
  [tokencache]="$proxy_pid" [tokencache-nolog]="$nolog_pid")
declare -A port_of=([nginx]="$nginx_port" [vertx-floor]="$floor_port" [netty-floor]="$netty_port" [netty-token]="$spike_port"
  [tokencache]="$proxy_port" [tokencache-nolog]="$nolog_port")
targets=(nginx vertx-floor netty-floor netty-token tokencache tokencache-nolog)
for target in "${targets[@]}"; do # warm-up: JIT, caches, connections
  taskset -c 1 wrk -t1 -c"$connections" -d"${warmup}s" -s "$here/post.lua" "http://127.0.0.1:${port_of[$target]}/oauth2/token" >/dev/null
done
: > "$work/rounds"; : > "$work/threads"
for round in $(seq 1 "$rounds"); do
  for target in "${targets[@]}"; do
    pid=${pid_of[$target]}
    [ "$target" = tokencache ] && thread_ticks "$pid" > "$work/threads.before"
    start=$(cpu_ticks "$pid"); start_sys=$(sys_ticks "$pid")
    line=$(taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" -s "$here/post.lua" \
      "http://127.0.0.1:${port_of[$target]}/oauth2/token" | grep '^RESULT')
    end=$(cpu_ticks "$pid"); line="$line sys_ticks=$(( $(sys_ticks "$pid") - start_sys ))"
    requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
    if [ "$target" = tokencache ]; then # where tokencache's CPU goes, by thread
      thread_ticks "$pid" | join - "$work/threads.before" | awk -v n="$requests" '{ print $2, $3 - $5, n }' >> "$work/threads"
    fi
    echo "$target $round $(( end - start )) $line" >> "$work/rounds"
    awk -v t="$target" -v r="$round" -v ticks=$(( end - start )) -v hz="$hz" -v n="$requests" -v l="$line" \
      'BEGIN { printf "round %d %-17s %s cpu_us_per_req=%.1f\n", r, t, l, ticks * 1e6 / hz / n }'
  done
done
after_proxy=$(upstream_count "$proxy_admin"); after_nolog=$(upstream_count "$nolog_admin")

echo
echo "| target | req/s | server CPU µs/req | of which kernel | p99 | ratio CPU/req to NGINX |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
awk -v hz="$hz" '
  { t = $1; ticks[t] += $3; for (i = 4; i <= NF; i++) { split($i, kv, "="); v[t, kv[1]] += kv[2] }; rounds[t]++ }
  END {
    nginx = ticks["nginx"] * 1e6 / hz / v["nginx", "requests"]
    n = split("nginx vertx-floor netty-floor netty-token tokencache tokencache-nolog", order, " ")
    for (k = 1; k <= n; k++) {
      t = order[k]; cpu = ticks[t] * 1e6 / hz / v[t, "requests"]
      sys = v[t, "sys_ticks"] * 1e6 / hz / v[t, "requests"]
      printf "| %s | %.0f | %.1f | %.1f | %.2f ms | %.2f |\n", t, v[t, "rps"] / rounds[t], cpu, sys, v[t, "p99_ms"] / rounds[t],
        cpu / nginx
    }
  }' "$work/rounds"
echo
echo "tokencache's CPU by thread, µs per request over the rounds:"
awk '{ ticks[$1] += $2; n[$1] += $3 }
  END { for (t in ticks) if (ticks[t] > 0) printf "  %-28s %.2f\n", t, ticks[t] * 1e6 / hz / (n[t] > 0 ? n[t] : 1) }' \
  hz="$hz" "$work/threads" | sort -k2 -rn
echo "upstream requests during the measured rounds: tokencache $(( after_proxy - before_proxy )), tokencache-nolog $(( after_nolog - before_nolog ))"
changed=""
for target in "${targets[@]}"; do
  port=${port_of[$target]}
  [ "$(ask "http://127.0.0.1:$port/oauth2/token" | token_of)" = "${token_before[$port]}" ] || changed="$changed $target"
done
if [ -z "$changed" ]; then
  echo "every target answered the token it held before the rounds"
else # NGINX keeps a body for proxy_cache_valid (60 s) and then fetches a new token: expected for it alone
  echo "answered another token after the rounds:$changed (NGINX re-fetches every 60 s; tokencache must not)"
fi
echo "access log lines written: $(wc -l < "$work/access.log")"

# p99 at half of tokencache's maximum throughput
max_rps=$(awk '$1 == "tokencache" { for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") s += kv[2] }; n++ } END { print int(s / n) }' "$work/rounds")
# 100 connections, each waiting DELAY ms between requests: a smoother offered load than 50 connections at 1 ms,
# whose bursts alone give even the bare Vert.x floor a p99 of about 4 ms here
paced=100
delay=$(( paced * 1000 * 2 / max_rps )); [ "$delay" -ge 1 ] || delay=1
echo
echo "p99 at about half of tokencache's maximum (${max_rps} req/s; ${paced} connections paced at ${delay} ms), $rounds rounds:"
: > "$work/paced"
for round in $(seq 1 "$rounds"); do
  for target in nginx vertx-floor netty-floor netty-token tokencache; do
    line=$(DELAY_MS=$delay taskset -c 1 wrk -t1 -c"$paced" -d"${seconds}s" -s "$here/post.lua" \
      "http://127.0.0.1:${port_of[$target]}/oauth2/token" | grep '^RESULT')
    echo "round $round $target $line"
    echo "$target $(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")" >> "$work/paced"
  done
done
for target in nginx vertx-floor netty-floor netty-token tokencache; do # the median of the rounds: one stall moves a p99 a lot
  awk -v t="$target" '$1 == t { print $2 }' "$work/paced" | sort -n \
    | awk -v t="$target" '{ v[NR] = $1 } END { printf "%s p99 median %.2f ms (of %s)\n", t, v[int((NR + 1) / 2)], NR }'
done
