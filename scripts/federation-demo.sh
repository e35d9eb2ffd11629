#!/usr/bin/env bash
# Two yibao instances on loopback — 重庆 (500000) and 四川 (510000) — each with demo data on its
# own SQLite database and its own signing key, peered with each other; walks a transfer (转移接续)
# of 演示·王建国 from 重庆 to 四川 through their delivery workers — the 参保凭证 and the application
# as cases at the windows (HTTP API, curl and jq), the 信息表 and the completion through the
# transfer steps API — then a 通办 case: 重庆's window receives 演示·刘芳's (成都) 城乡居民参保登记
# while 四川 is killed, 四川 comes back, decides it, and the outcome returns to 重庆's case. Prints
# both sides and the two addresses, and keeps both running until Ctrl-C (docs/federation.md).
# 重庆's installation holds only 重庆's agencies (`yibao demo --agencies-in 500000`), so a case
# for one insured in 四川 is 四川's to decide; 四川's holds all of them (the transfer walk has
# 南川's staff apply at its window).
# Usage: bash scripts/federation-demo.sh [CQ_PORT] [SC_PORT]   (default 8181 8182)
# YIBAO_BIN=path uses an already built binary instead of building a release one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

for tool in curl jq; do command -v "$tool" >/dev/null 2>&1 || apt_install "$tool"; done
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
"$Y" demo --agencies-in 500000 --database-url "$CQ" > "$DIR/cq-demo.txt"
"$Y" demo --database-url "$SC" > /dev/null
"$Y" key set-region --region 500000 --name 重庆市医疗保障事务中心 --database-url "$CQ"
"$Y" key set-region --region 510000 --name 四川省医疗保障事务中心 --database-url "$SC"
key_of() { "$Y" key show --json --database-url "$1" | sed -n 's/.*"public_key": *"\([0-9a-f]*\)".*/\1/p'; }
"$Y" peer add --name 四川 --regions 510000 --url "http://127.0.0.1:$SC_PORT" --public-key "$(key_of "$SC")" --database-url "$CQ"
"$Y" peer add --name 重庆 --regions 500000 --url "http://127.0.0.1:$CQ_PORT" --public-key "$(key_of "$CQ")" --database-url "$SC"

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "端口 $1 未就绪 / port $1 not listening"
}
start_sc() {
  "$Y" serve --bind "127.0.0.1:$SC_PORT" --database-url "$SC" >> "$DIR/sc.log" 2>&1 & SC_PID=$!
  pids+=($SC_PID)
}
say "启动两个实例 / starting both instances"
"$Y" serve --bind "127.0.0.1:$CQ_PORT" --database-url "$CQ" > "$DIR/cq.log" 2>&1 & pids+=($!)
start_sc
wait_port "$CQ_PORT"; wait_port "$SC_PORT"

ID=$(grep '演示·王建国' "$DIR/cq-demo.txt" | awk '{print $1}')
[ -n "$ID" ] || die "演示人员缺失 / demo person missing"
say "重庆：11 月缴费核定，划入个人账户 / Chongqing: November's contributions credit the account"
"$Y" contributions run --year 2026 --month 11 --database-url "$CQ" | tail -1

# The HTTP API as the windows use it (docs/federation.md): staff log in, open a case, present
# what the view lists as missing in the original, and take the actions the view offers.
api() { # base, token, method, path, [json body]
  curl -sS -X "$3" -H "authorization: Bearer $2" -H 'content-type: application/json' \
    ${5:+--data "$5"} "$1/api/v1$4"
}
login() { # base, username (demo passwords are demo-<agency>-<role>)
  local who=${2%%.*} role=${2#*.}
  curl -sS -H 'content-type: application/json' --data \
    "{\"kind\":\"staff\",\"username\":\"$2\",\"password\":\"demo-$who-$role\"}" \
    "$1/api/v1/auth/login" | jq -r .token
}
drive_case() { # base, clerk token, reviewer token, case number: presents, submits, decides
  local base=$1 clerk=$2 reviewer=$3 n=$4 view status action
  for _ in 1 2 3 4 5 6; do
    view=$(api "$base" "$clerk" GET "/cases/$n")
    status=$(echo "$view" | jq -r .view.case.status)
    [ "$status" = completed ] && return 0
    for m in $(echo "$view" | jq -r '.view.missing[].key' | grep -v '^one_of:' || true); do
      curl -sS -o /dev/null -H "authorization: Bearer $clerk" -F "material_id=$m" \
        -F provided_as=original -F seal_confirmed=false "$base/api/v1/cases/$n/materials"
    done
    action=$(api "$base" "$clerk" GET "/cases/$n" | jq -r '[.view.actions[][0]] as $a
      | (["submit","accept_and_complete","complete","accept"] | map(select(. as $x | $a | index($x))) | first) // ""')
    if [ -n "$action" ]; then
      api "$base" "$clerk" POST "/cases/$n/actions/$action" '{"note":""}' > "$DIR/last.json"
    else
      api "$base" "$reviewer" POST "/cases/$n/actions/approve" '{"note":""}' > "$DIR/last.json"
    fi
    if jq -e .code "$DIR/last.json" > /dev/null; then cat "$DIR/last.json"; echo; die "办件 $n 未能办结 / case $n refused"; fi
  done
  die "办件 $n 未办结 / case $n did not complete"
}
CQ_URL="http://127.0.0.1:$CQ_PORT"
SC_URL="http://127.0.0.1:$SC_PORT"
CQ_CLERK=$(login "$CQ_URL" nanchuan.clerk); CQ_REVIEWER=$(login "$CQ_URL" nanchuan.reviewer)
SC_CLERK=$(login "$SC_URL" nanchuan.clerk); SC_REVIEWER=$(login "$SC_URL" nanchuan.reviewer)

say "重庆（转出地）窗口办理“出具《参保凭证》”（重庆 18，即办件）/ Chongqing: the 参保凭证 as a case"
N=$(api "$CQ_URL" "$CQ_CLERK" POST /cases "{\"jurisdiction\":\"chongqing\",\"item\":\"18\",\"channel\":\"window\",
  \"applicant\":{\"id_number\":\"$ID\",\"name\":\"演示·王建国\"},\"form\":{}}" | jq -r .case.number)
drive_case "$CQ_URL" "$CQ_CLERK" "$CQ_REVIEWER" "$N"
CODE=$(api "$CQ_URL" "$CQ_CLERK" GET "/cases/$N" | jq -r .view.outcome.verification_code)
api "$CQ_URL" "$CQ_CLERK" GET "/cases/$N" | jq -r .view.outcome.text
echo "打印 / print: $CQ_URL/verify?code=$CODE"

say "四川（转入地）窗口办理“转移接续”（重庆 19），办结即发出联系函 / Sichuan: the application as a case; completing it sends the 联系函"
N=$(api "$SC_URL" "$SC_CLERK" POST /cases "{\"jurisdiction\":\"chongqing\",\"item\":\"19\",\"channel\":\"window\",
  \"applicant\":{\"id_number\":\"$ID\",\"name\":\"演示·王建国\"},
  \"form\":{\"from_region\":\"500000\",\"certificate_code\":\"$CODE\"}}" | jq -r .case.number)
drive_case "$SC_URL" "$SC_CLERK" "$SC_REVIEWER" "$N"
api "$SC_URL" "$SC_CLERK" GET "/cases/$N" | jq -r .view.outcome.text
REF=$(api "$SC_URL" "$SC_CLERK" GET "/cases/$N" | jq -r .view.outcome.reference)

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
api "$CQ_URL" "$CQ_CLERK" POST "/transfers/$REF/steps/sheet" | jq -c '{reference, status_label, balance_fen}'

wait_for "$SC" "待办结"
say "四川收到信息表和余额；办结 / Sichuan completes"
api "$SC_URL" "$SC_CLERK" POST "/transfers/$REF/steps/completion" | jq -c '{reference, status_label, covered_months}'

wait_for "$CQ" "已办结"

say "两侧的转移接续 / both sides"
echo "重庆 / Chongqing:"; "$Y" transfer list --database-url "$CQ"
echo "四川 / Sichuan:";   "$Y" transfer list --database-url "$SC"

LIU=$(grep '演示·刘芳' "$DIR/cq-demo.txt" | awk '{print $1}')
[ -n "$LIU" ] || die "演示人员缺失 / demo person missing"
say "通办：重庆窗口受理成都参保人员演示·刘芳的城乡居民参保登记（川渝通办 03）/ 通办: Chongqing's window takes a Chengdu resident's enrolment"
CQW=$(login "$CQ_URL" cq.clerk)
TN=$(api "$CQ_URL" "$CQW" POST /cases "{\"jurisdiction\":\"chuanyu\",\"item\":\"03\",\"channel\":\"window\",
  \"applicant\":{\"id_number\":\"$LIU\",\"name\":\"演示·刘芳\"},\"form\":{\"name\":\"演示·刘芳\"}}" | jq -r .case.number)
[ -n "$TN" ] && [ "$TN" != null ] || die "通办办件未能建立 / the 通办 case was not opened"
api "$CQ_URL" "$CQW" GET "/cases/$TN" | jq -r .view.peer_link.text
for m in $(api "$CQ_URL" "$CQW" GET "/cases/$TN" | jq -r '.view.missing[].key' | grep -v '^one_of:' || true); do
  curl -sS -o /dev/null -H "authorization: Bearer $CQW" -F "material_id=$m" \
    -F provided_as=original -F seal_confirmed=false "$CQ_URL/api/v1/cases/$TN/materials"
done
api "$CQ_URL" "$CQW" POST "/cases/$TN/actions/submit" '{"note":""}' > "$DIR/last.json"
jq -e .code "$DIR/last.json" > /dev/null && { cat "$DIR/last.json"; echo; die "提交未成功 / submit refused"; }
say "四川实例被强行终止（kill -9）；重庆受理，转办消息留在发件箱 / Sichuan is killed; Chongqing accepts, the message waits in its outbox"
kill -9 "$SC_PID"; wait "$SC_PID" 2>/dev/null || true
api "$CQ_URL" "$CQW" POST "/cases/$TN/actions/accept" '{"note":""}' > "$DIR/last.json"
jq -e .code "$DIR/last.json" > /dev/null && { cat "$DIR/last.json"; echo; die "受理未成功 / accept refused"; }
sleep 2
"$Y" peer list --database-url "$CQ"
say "四川重新启动，收到转办件 / Sichuan restarts and receives the case"
start_sc; wait_port "$SC_PORT"
SCN=""
for _ in $(seq 1 120); do
  SCN=$(api "$CQ_URL" "$CQW" GET "/cases/$TN" | jq -r '.view.peer_link.other_number // empty')
  [ -n "$SCN" ] && break
  sleep 0.5
done
[ -n "$SCN" ] || die "四川未回传办件号 / no case number came back from Sichuan"
api "$CQ_URL" "$CQW" GET "/cases/$TN" | jq -r .view.peer_link.text
say "四川（成都）审核通过 / Sichuan's reviewer (Chengdu) approves $SCN"
SCR=$(login "$SC_URL" chengdu.reviewer)
api "$SC_URL" "$SCR" POST "/cases/$SCN/actions/approve" '{"note":""}' | jq -c '{number: .case.number, status: .case.status}'
for _ in $(seq 1 120); do
  [ "$(api "$CQ_URL" "$CQW" GET "/cases/$TN" | jq -r .view.case.status)" = completed ] && break
  sleep 0.5
done
[ "$(api "$CQ_URL" "$CQW" GET "/cases/$TN" | jq -r .view.case.status)" = completed ] || die "办结未回传 / the outcome did not come back"
echo "重庆办件 / Chongqing's case $TN: $(api "$CQ_URL" "$CQW" GET "/cases/$TN" | jq -r .view.peer_link.text)"
echo "四川办件 / Sichuan's case $SCN: $(api "$SC_URL" "$SCR" GET "/cases/$SCN" | jq -r .view.status_label)"
echo
echo "重庆 / Chongqing: $CQ_URL/   (数据 / data: $CQ; 转移接续 /staff/transfers; 通办件 /cases/$TN)"
echo "四川 / Sichuan:   $SC_URL/   (数据 / data: $SC; 转移接续 /staff/transfers; 通办件 /cases/$SCN)"
say "两个实例继续运行，Ctrl-C 结束 / both keep running; Ctrl-C stops them"
wait
