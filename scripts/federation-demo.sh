#!/usr/bin/env bash
# Two yibao instances on loopback — 重庆 (500000) and 四川 (510000) — each with demo data on its
# own SQLite database and its own signing key, peered with each other; walks a transfer (转移接续)
# of 演示·王建国 from 重庆 to 四川 through their delivery workers, prints both sides' balances and
# the two addresses, and keeps both running until Ctrl-C (docs/federation.md).
# Usage: bash scripts/federation-demo.sh [CQ_PORT] [SC_PORT]   (default 8181 8182)
# YIBAO_BIN=path uses an already built binary instead of building a release one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

CQ_PORT=${1:-8181}
SC_PORT=${2:-8182}
if [ -z "${YIBAO_BIN:-}" ]; then
  need_rust
  say "编译 yibao（首次约需数分钟）/ building yibao (first build takes a few minutes)"
  cargo build --release --locked --bin yibao
  YIBAO_BIN="${CARGO_TARGET_DIR:-target}/release/yibao"
fi
Y=$YIBAO_BIN
DIR=$(mktemp -d "${TMPDIR:-/tmp}/yibao-federation.XXXXXX")
CQ="sqlite://$DIR/chongqing.db"
SC="sqlite://$DIR/sichuan.db"
export YIBAO_LOG=${YIBAO_LOG:-warn}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

say "两个实例的数据库与演示数据 / databases and demo data in $DIR"
"$Y" demo --database-url "$CQ" > "$DIR/cq-demo.txt"
"$Y" demo --database-url "$SC" > /dev/null
"$Y" key set-region --region 500000 --name 重庆市医疗保障事务中心 --database-url "$CQ"
"$Y" key set-region --region 510000 --name 四川省医疗保障事务中心 --database-url "$SC"
key_of() { "$Y" key show --json --database-url "$1" | sed -n 's/.*"public_key": *"\([0-9a-f]*\)".*/\1/p'; }
"$Y" peer add --name 四川 --regions 510000 --url "http://127.0.0.1:$SC_PORT" --public-key "$(key_of "$SC")" --database-url "$CQ"
"$Y" peer add --name 重庆 --regions 500000 --url "http://127.0.0.1:$CQ_PORT" --public-key "$(key_of "$CQ")" --database-url "$SC"

say "启动两个实例 / starting both instances"
"$Y" serve --bind "127.0.0.1:$CQ_PORT" --database-url "$CQ" > "$DIR/cq.log" 2>&1 & pids+=($!)
"$Y" serve --bind "127.0.0.1:$SC_PORT" --database-url "$SC" > "$DIR/sc.log" 2>&1 & pids+=($!)
for port in "$CQ_PORT" "$SC_PORT"; do
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
  done
done

ID=$(grep '演示·王建国' "$DIR/cq-demo.txt" | awk '{print $1}')
[ -n "$ID" ] || die "演示人员缺失 / demo person missing"
say "重庆：11 月缴费核定，划入个人账户 / Chongqing: November's contributions credit the account"
"$Y" contributions run --year 2026 --month 11 --database-url "$CQ" | tail -1

say "重庆（转出地）出具参保凭证 / Chongqing issues the 参保凭证"
"$Y" transfer certificate "$ID" --database-url "$CQ" > "$DIR/cert.txt"
cat "$DIR/cert.txt"
CODE=$(sed -n 's/^核验码 \/ verification code: //p' "$DIR/cert.txt")

say "四川（转入地）受理申请并发出联系函 / Sichuan accepts the application and sends the 联系函"
APPLIED=$("$Y" transfer apply --id-number "$ID" --name 演示·王建国 --from-region 500000 \
  --certificate-code "$CODE" --database-url "$SC")
echo "$APPLIED"
REF=$(echo "$APPLIED" | sed -n 's/.*reference: \(ZY[0-9A-F]*\).*/\1/p')
"$Y" transfer send-letter "$REF" --database-url "$SC"

wait_for() { # database, status
  for _ in $(seq 1 60); do
    "$Y" transfer list --database-url "$1" | grep "$REF" | grep -q "$2" && return 0
    sleep 0.5
  done
  die "等待 $2 超时 / timed out waiting for $2"
}
wait_for "$CQ" "待发信息表"
say "重庆收到联系函；发出信息表并划转个人账户余额 / Chongqing sends the 信息表 and the balance"
"$Y" transfer owed --database-url "$CQ"
"$Y" transfer send-sheet "$REF" --database-url "$CQ"
wait_for "$SC" "待办结"
say "四川收到信息表和余额；办结 / Sichuan completes"
"$Y" transfer complete "$REF" --database-url "$SC"
wait_for "$CQ" "已办结"

say "两侧的转移接续 / both sides"
echo "重庆 / Chongqing:"; "$Y" transfer list --database-url "$CQ"
echo "四川 / Sichuan:";   "$Y" transfer list --database-url "$SC"
echo
echo "重庆 / Chongqing: http://127.0.0.1:$CQ_PORT/   (数据 / data: $CQ)"
echo "四川 / Sichuan:   http://127.0.0.1:$SC_PORT/   (数据 / data: $SC)"
say "两个实例继续运行，Ctrl-C 结束 / both keep running; Ctrl-C stops them"
wait
