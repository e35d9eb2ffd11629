#!/usr/bin/env bash
# The failure test (issue 24, docs/performance.md "Failover"): settlement load through haproxy on
# the cluster of scripts/cluster-demo.sh while one application process is killed, then the
# database primary is killed (its keeper and postgres, SIGKILL: the machine is gone) and
# pg_auto_failover promotes the standby. Reports acknowledged, lost and doubled settlements (the
# acknowledged request ids against the ledger on the new primary) and the longest time in which
# no settlement was acknowledged. Exit 1 if any acknowledged settlement is lost or doubled.
#
# Time-bounded: about 1 minute to start the cluster, FAILOVER_SECONDS (default 90) of load, a
# minute to stop. Environment: FAILOVER_SECONDS, FAILOVER_CLIENTS (default 6), FAILOVER_KILL_APP_AT
# (default 10 s into the load), FAILOVER_KILL_DB_AT (default 25 s), and cluster-demo.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SECS=${FAILOVER_SECONDS:-90}
CLIENTS=${FAILOVER_CLIENTS:-6}
KILL_APP_AT=${FAILOVER_KILL_APP_AT:-10}
KILL_DB_AT=${FAILOVER_KILL_DB_AT:-25}
DIR=${YIBAO_CLUSTER_DIR:-/tmp/yibao-cluster}
export YIBAO_CLUSTER_DIR=$DIR
HTTP0=${YIBAO_CLUSTER_HTTP_PORT:-8400}
PGPORT0=${YIBAO_CLUSTER_PG_PORT:-6400}
PGBIN=${YIBAO_PG_BIN:-/usr/lib/postgresql/15/bin}
BASE="http://127.0.0.1:$HTTP0"
command -v python3 >/dev/null 2>&1 || apt_install python3

timeout 600 bash scripts/cluster-demo.sh start >"$DIR.start.log" 2>&1 \
  || { tail -30 "$DIR.start.log"; die "集群启动失败 / the cluster did not start"; }
trap 'bash scripts/cluster-demo.sh stop' EXIT
URL=$(cat "$DIR/database-url")

psql_db() { # SQL on whichever node is primary now (psql follows target_session_attrs itself)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PGBIN/psql" -qAt "$URL" -c "$1"
  else "$PGBIN/psql" -qAt "$URL" -c "$1"; fi
}
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
states() {
  "$PGBIN/psql" -qAt -h 127.0.0.1 -p "$PGPORT0" -U autoctl_node -d pg_auto_failover \
    -c "SELECT string_agg(nodename || '=' || reportedstate, ' ' ORDER BY nodeid) FROM pgautofailover.node" 2>/dev/null || echo "?"
}

# An institution and its token, through the balancer, as an agency's admin does it.
admin=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"kind":"staff","username":"cq.admin","password":"demo-cq-admin"}' | json_field '["token"]')
curl -fsS -o /dev/null -X POST "$BASE/api/v1/admin/institutions" -H "authorization: Bearer $admin" \
  -H 'content-type: application/json' \
  -d '{"code":"H50011900088","name":"演示医院故障演练","kind":"hospital","level":"二级","region_code":"500119"}'
token=$(curl -fsS -X POST "$BASE/api/v1/admin/institutions/H50011900088/tokens" \
  -H "authorization: Bearer $admin" -H 'content-type: application/json' -d '{"label":"HIS"}' \
  | json_field '["token"]["token"]')
persons=$(psql_db "SELECT string_agg(id_number, ',') FROM person WHERE region_code LIKE '50%'")
[ -n "$persons" ] || die "没有重庆演示参保人 / no demo persons"

kill_tree() { # SIGKILL a process and everything under it
  local pid=$1 child
  for child in $(pgrep -P "$pid" 2>/dev/null); do kill_tree "$child"; done
  kill -9 "$pid" 2>/dev/null || true
}

say "结算负载 / settlement load: $CLIENTS clients, ${SECS}s, through $BASE"
rm -f "$DIR/load.started"
python3 scripts/failover_load.py --url "$BASE" --token "$token" --persons "$persons" \
  --clients "$CLIENTS" --seconds "$SECS" --acks "$DIR/acks.jsonl" --started "$DIR/load.started" \
  >"$DIR/load.out" 2>&1 &
load=$!
for _ in $(seq 1 50); do [ -f "$DIR/load.started" ] && break; sleep 0.1; done
t0=$(date +%s.%N)
elapsed() { python3 -c "print(round($(date +%s.%N) - $t0, 1))"; }
events="$DIR/events.log"
: >"$events"
echo "$(elapsed)s load started; nodes: $(states)" | tee -a "$events"

sleep "$KILL_APP_AT"
kill -9 "$(cat "$DIR/pids/app2.pid")"
echo "$(elapsed)s killed yibao serve app2 (SIGKILL)" | tee -a "$events"

sleep $((KILL_DB_AT - KILL_APP_AT))
primary=$(states | tr ' ' '\n' | grep '=primary$' | cut -d= -f1)
[ -n "$primary" ] || die "没有主库 / no primary to kill"
keeper=$(cat "$DIR/pids/$primary.pid")
postmaster=$(head -1 "$DIR/$primary/postmaster.pid")
kill_tree "$keeper"
kill -9 "$postmaster" 2>/dev/null || true
echo "$(elapsed)s killed the primary $primary (keeper $keeper and postgres $postmaster, SIGKILL); nodes: $(states)" | tee -a "$events"

last=""
while kill -0 "$load" 2>/dev/null; do
  s=$(states)
  if [ "$s" != "$last" ]; then echo "$(elapsed)s nodes: $s" | tee -a "$events"; last=$s; fi
  sleep 1
done
wait "$load" || true
cat "$DIR/load.out"

# The ledger on the new primary against what the clients were told.
python3 - "$DIR/acks.jsonl" <<'EOF' >"$DIR/acked.txt"
import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)["request_id"])
EOF
psql_db "SELECT s.request_id || ' ' || count(*) FROM settlement s JOIN institution i ON i.id = s.institution_id \
  WHERE i.code = 'H50011900088' GROUP BY s.request_id" >"$DIR/ledger.txt"
python3 - "$DIR/acked.txt" "$DIR/ledger.txt" "$DIR/load.out" "$events" <<'EOF' | tee "$DIR/report.json"
import json, sys
acked = set(open(sys.argv[1]).read().split())
ledger = {}
for line in open(sys.argv[2]):
    if line.strip():
        rid, n = line.split()
        ledger[rid] = int(n)
load = json.loads([l for l in open(sys.argv[3]) if l.startswith("{")][-1])
report = {
    "acknowledged": len(acked),
    "lost": len(acked - ledger.keys()),
    "doubled": sum(1 for n in ledger.values() if n > 1),
    "in_ledger": len(ledger),
    "committed_but_not_acknowledged": len(ledger.keys() - acked),
    "longest_gap_s": load["longest_gap_s"],
    "longest_gap_from_s": load["longest_gap_from_s"],
    "failed_attempts": load["failed_attempts"],
    "refused_4xx": load["refused"],
    "attempts": load["attempts"],
    "events": [l.strip() for l in open(sys.argv[4])],
}
print(json.dumps(report, ensure_ascii=False, indent=2))
sys.exit(1 if report["lost"] or report["doubled"] or report["refused_4xx"] or not report["acknowledged"] else 0)
EOF
