#!/usr/bin/env bash
# Resource figures of the application tier (issue 24, docs/performance.md "Resources"), on the
# cluster of scripts/cluster-demo.sh: one more `yibao serve`'s ready time and resident memory
# (idle and under settlement load), and settlement throughput through one application process
# against three behind haproxy, on the same PostgreSQL. Prints one JSON object.
#
# Environment: FIGURES_CLIENTS (default 16), FIGURES_SECONDS (default 20), FIGURES_PERSONS (default
# 2000), and cluster-demo.sh's (YIBAO_BIN picks the binary: use a release build for figures).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

CLIENTS=${FIGURES_CLIENTS:-16}
SECS=${FIGURES_SECONDS:-20}
PERSONS=${FIGURES_PERSONS:-2000}
DIR=${YIBAO_CLUSTER_DIR:-/tmp/yibao-cluster}
export YIBAO_CLUSTER_DIR=$DIR
HTTP0=${YIBAO_CLUSTER_HTTP_PORT:-8400}
EXTRA=$((HTTP0 + 9))

timeout 600 bash scripts/cluster-demo.sh start >"$DIR.start.log" 2>&1 \
  || { tail -30 "$DIR.start.log"; die "集群启动失败 / the cluster did not start"; }
extra_pid=""
cleanup() {
  [ -n "$extra_pid" ] && kill "$extra_pid" 2>/dev/null || true
  bash scripts/cluster-demo.sh stop
}
trap cleanup EXIT
URL=$(cat "$DIR/database-url")
BIN=$(readlink -f "/proc/$(cat "$DIR/pids/app1.pid")/exe")

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
bench() { # target → JSON report
  "$BIN" bench settle --target "$1" --database-url "$URL" --clients "$CLIENTS" \
    --seconds "$SECS" --persons "$PERSONS" --json 2>/dev/null | tail -1
}

# Writes the bench population and warms the three processes' caches.
"$BIN" bench settle --target "http://127.0.0.1:$HTTP0" --database-url "$URL" --clients 2 \
  --seconds 3 --persons "$PERSONS" --json >/dev/null 2>&1

# Ready time: from exec to the first 200 of /readyz (the schema is migrated already).
mkdir -p "$DIR/app-extra"
t0=$(date +%s%N)
YIBAO_DATABASE_URL="$URL" YIBAO_BIND="127.0.0.1:$EXTRA" YIBAO_DATA_DIR="$DIR/app-extra" YIBAO_LOG=warn \
  "$BIN" serve >"$DIR/log/app-extra.log" 2>&1 &
extra_pid=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$EXTRA/readyz" 2>/dev/null; do sleep 0.01; done
ready_ms=$((($(date +%s%N) - t0) / 1000000))
sleep 5
idle_kb=$(rss_kb "$extra_pid")

# Under load: settlements straight to that one process, its RSS sampled every 0.2 s.
peak_file="$DIR/peak_rss"
echo 0 >"$peak_file"
( while kill -0 "$extra_pid" 2>/dev/null; do
    r=$(rss_kb "$extra_pid"); [ "$r" -gt "$(cat "$peak_file")" ] && echo "$r" >"$peak_file"; sleep 0.2
  done ) &
sampler=$!
one=$(bench "http://127.0.0.1:$EXTRA")
kill "$sampler" 2>/dev/null || true
peak_kb=$(cat "$peak_file")
after_kb=$(rss_kb "$extra_pid")
kill "$extra_pid"; wait "$extra_pid" 2>/dev/null || true; extra_pid=""

# One process (app1 directly) against three behind haproxy.
single=$(bench "http://127.0.0.1:$((HTTP0 + 1))")
three=$(bench "http://127.0.0.1:$HTTP0")

python3 - "$ready_ms" "$idle_kb" "$peak_kb" "$after_kb" "$one" "$single" "$three" "$BIN" "$(nproc)" <<'EOF'
import json, sys
ready, idle, peak, after = (int(x) for x in sys.argv[1:5])
one, single, three = (json.loads(x) for x in sys.argv[5:8])
print(json.dumps({
    "binary": sys.argv[8], "cpus": int(sys.argv[9]),
    "ready_ms": ready,
    "rss_idle_mib": round(idle / 1024, 1),
    "rss_peak_under_load_mib": round(peak / 1024, 1),
    "rss_after_load_mib": round(after / 1024, 1),
    "one_process_under_load": one,
    "throughput_one_process_per_s": round(single["per_second"], 1),
    "throughput_three_processes_per_s": round(three["per_second"], 1),
    "ratio_three_to_one": round(three["per_second"] / single["per_second"], 2) if single["per_second"] else None,
    "p99_ms_one": round(single["p99_ms"], 1), "p99_ms_three": round(three["p99_ms"], 1),
    "errors": [single["errors"], three["errors"]],
}, indent=2))
EOF
