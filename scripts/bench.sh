#!/usr/bin/env bash
# Settlement throughput beside pgbench's TPC-B on the same PostgreSQL, same client count, same
# duration (docs/performance.md). Uses two scratch databases, yibao_bench and yibao_pgbench,
# which it drops and re-creates. Runs settlement in process and over HTTP on loopback (--http).
# Usage: bash scripts/bench.sh [CLIENTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_rust
CLIENTS=${1:-8}
SECONDS_RUN=${2:-20}
PG=${YIBAO_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
command -v pgbench >/dev/null 2>&1 || apt_install postgresql-contrib
psql "$PG/postgres" -qAtc 'SELECT 1' >/dev/null || die "PostgreSQL 不可用 / PostgreSQL unreachable at $PG"
cargo build --release --locked -p yibao >/dev/null
for db in yibao_bench yibao_pgbench; do
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
done
say "pgbench TPC-B: scale 10, $CLIENTS clients, ${SECONDS_RUN}s"
pgbench -q -i -s 10 "$PG/yibao_pgbench" >/dev/null 2>&1
pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_RUN" "$PG/yibao_pgbench" | grep -E "^tps|latency average"
say "yibao settlements on PostgreSQL: $CLIENTS clients, ${SECONDS_RUN}s"
./target/release/yibao bench settle --clients "$CLIENTS" --seconds "$SECONDS_RUN" --persons 10000 \
  --database-url "$PG/yibao_bench"
say "yibao settlements over HTTP (loopback, institution token) on PostgreSQL: $CLIENTS clients, ${SECONDS_RUN}s"
./target/release/yibao bench settle --http --clients "$CLIENTS" --seconds "$SECONDS_RUN" --persons 10000 \
  --database-url "$PG/yibao_bench"
say "pgbench TPC-B again (the machine drifts; compare each run with its neighbours)"
pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_RUN" "$PG/yibao_pgbench" | grep -E "^tps|latency average"
say "yibao settlements on SQLite: $CLIENTS clients, ${SECONDS_RUN}s"
tmp=$(mktemp -d)
./target/release/yibao bench settle --clients "$CLIENTS" --seconds "$SECONDS_RUN" --persons 10000 \
  --database-url "sqlite://$tmp/bench.db"
rm -rf "$tmp"
