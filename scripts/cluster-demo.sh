#!/usr/bin/env bash
# yibao as a cluster on one machine (docs/operations.md): PostgreSQL 15 primary + standby managed
# by pg_auto_failover (with its monitor), three `yibao serve` processes, haproxy in front — all on
# loopback, on ports of their own (the PostgreSQL on 5432 is not touched).
#
#   bash scripts/cluster-demo.sh            start, print the address, stop everything on Ctrl-C
#   bash scripts/cluster-demo.sh start      start and return (for scripts; stop with `stop`)
#   bash scripts/cluster-demo.sh stop       stop what `start` started
#   bash scripts/cluster-demo.sh status     the database nodes' states and the processes
#
# Environment: YIBAO_CLUSTER_DIR (default /tmp/yibao-cluster; wiped at start), YIBAO_CLUSTER_PG_PORT
# (monitor; the nodes take the next two; default 6400), YIBAO_CLUSTER_HTTP_PORT (haproxy; the
# apps take the next three; default 8400), YIBAO_BIN (a built yibao; default target/release or
# target/debug, built if neither exists).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DIR=${YIBAO_CLUSTER_DIR:-/tmp/yibao-cluster}
PGPORT0=${YIBAO_CLUSTER_PG_PORT:-6400}
HTTP0=${YIBAO_CLUSTER_HTTP_PORT:-8400}
PGBIN=${YIBAO_PG_BIN:-/usr/lib/postgresql/15/bin}
MON="$DIR/monitor"
NODES=("$DIR/node1" "$DIR/node2")

# PostgreSQL and pg_autoctl refuse to run as root: as root they run as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- env XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" \
      XDG_RUNTIME_DIR="$DIR/xdg/run" PG_CONFIG="$PGBIN/pg_config" "$@"
  else
    env XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" \
      XDG_RUNTIME_DIR="$DIR/xdg/run" PG_CONFIG="$PGBIN/pg_config" "$@"
  fi
}

autoctl() { as_pg pg_autoctl "$@"; }

need_tools() {
  [ -x "$PGBIN/pg_ctl" ] || die "没有 PostgreSQL 15（$PGBIN）/ PostgreSQL 15 not found in $PGBIN (apt install postgresql-15)"
  command -v pg_autoctl >/dev/null 2>&1 && [ -f /usr/share/postgresql/15/extension/pgautofailover.control ] \
    || apt_install pg-auto-failover-cli postgresql-15-auto-failover
  command -v haproxy >/dev/null 2>&1 || apt_install haproxy
  command -v curl >/dev/null 2>&1 || apt_install curl
}

find_bin() {
  local t=${CARGO_TARGET_DIR:-target}
  if [ -n "${YIBAO_BIN:-}" ]; then echo "$YIBAO_BIN"
  elif [ -x "$t/release/yibao" ]; then echo "$t/release/yibao"
  elif [ -x "$t/debug/yibao" ]; then echo "$t/debug/yibao"
  else
    need_rust
    say "编译 yibao（首次约需数分钟）/ building yibao (first build takes a few minutes)" >&2
    cargo build --release --locked --bin yibao >&2
    echo "$t/release/yibao"
  fi
}

# The states the monitor records, one "name:port:state" line per node.
node_states() {
  as_pg "$PGBIN/psql" -qAt -h 127.0.0.1 -p "$PGPORT0" -U autoctl_node -d pg_auto_failover \
    -c "SELECT nodename || ':' || nodeport || ':' || reportedstate FROM pgautofailover.node ORDER BY nodeid" 2>/dev/null || true
}

wait_for() { # seconds, description, command...
  local n=$1 what=$2; shift 2
  for _ in $(seq 1 "$n"); do
    if "$@"; then return 0; fi
    sleep 1
  done
  die "等待超时 / timed out waiting for: $what (logs: $DIR/log)"
}

node_is_single() { node_states | grep -q ':single$'; }

one_primary_one_secondary() {
  local s; s=$(node_states)
  [ "$(grep -c ':primary$' <<<"$s")" = 1 ] && [ "$(grep -c ':secondary$' <<<"$s")" = 1 ]
}

start() {
  need_tools
  local bin; bin=$(find_bin)
  [ -x "$bin" ] || die "没有可执行的 yibao：$bin / no yibao binary at $bin"
  bin=$(readlink -f "$bin")
  stop quiet || true
  rm -rf "$DIR"
  mkdir -p "$DIR/log" "$DIR/pids" "$DIR/xdg/config" "$DIR/xdg/data" "$DIR/xdg/run"
  chmod 700 "$DIR/xdg/run"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DIR"

  say "数据库监控节点 / pg_auto_failover monitor on 127.0.0.1:$PGPORT0"
  autoctl create monitor --pgdata "$MON" --pgport "$PGPORT0" --hostname 127.0.0.1 \
    --auth trust --no-ssl --pgctl "$PGBIN/pg_ctl" >"$DIR/log/monitor-create.log" 2>&1
  as_pg bash -c "nohup pg_autoctl run --pgdata '$MON' >'$DIR/log/monitor.log' 2>&1 & echo \$! >'$DIR/pids/monitor.pid'"
  wait_for 60 "monitor" as_pg "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT0"
  local monitor_uri="postgres://autoctl_node@127.0.0.1:$PGPORT0/pg_auto_failover?sslmode=disable"

  local i port
  for i in 0 1; do
    port=$((PGPORT0 + 1 + i))
    say "数据库节点 $((i + 1)) / PostgreSQL node $((i + 1)) on 127.0.0.1:$port"
    autoctl create postgres --pgdata "${NODES[$i]}" --pgport "$port" --hostname 127.0.0.1 \
      --name "node$((i + 1))" --auth trust --no-ssl --dbname yibao --monitor "$monitor_uri" \
      --pgctl "$PGBIN/pg_ctl" >"$DIR/log/node$((i + 1))-create.log" 2>&1
    as_pg bash -c "nohup pg_autoctl run --pgdata '${NODES[$i]}' >'$DIR/log/node$((i + 1)).log' 2>&1 & echo \$! >'$DIR/pids/node$((i + 1)).pid'"
    if [ "$i" = 0 ]; then
      wait_for 120 "node1 primary" node_is_single
    fi
  done
  wait_for 180 "primary and secondary" one_primary_one_secondary

  local uri
  uri=$(autoctl show uri --pgdata "$MON" --formation default | tr -d '[:space:]')
  # The application connects as the postgres role over loopback (trust in this demo only).
  uri=${uri/postgres:\/\/@/postgres:\/\/postgres@}
  uri=${uri/postgres:\/\/127/postgres:\/\/postgres@127}
  echo "$uri" >"$DIR/database-url"
  say "数据库地址 / database URL: $uri"
  say "同步复制 / synchronous_standby_names on the primary: $(as_pg "$PGBIN/psql" -qAt "$uri" -c 'SHOW synchronous_standby_names')"

  for i in 1 2 3; do
    port=$((HTTP0 + i))
    mkdir -p "$DIR/app$i"
    YIBAO_DATABASE_URL="$uri" YIBAO_BIND="127.0.0.1:$port" YIBAO_DATA_DIR="$DIR/app$i" \
      YIBAO_TRUSTED_PROXIES=127.0.0.1 YIBAO_LOG=warn \
      nohup "$bin" serve --demo >"$DIR/log/app$i.log" 2>&1 &
    echo $! >"$DIR/pids/app$i.pid"
  done
  for i in 1 2 3; do
    wait_for 120 "app$i ready" curl -fsS -o /dev/null "http://127.0.0.1:$((HTTP0 + i))/readyz"
  done

  cat >"$DIR/haproxy.cfg" <<EOF
global
  maxconn 4000
  pidfile $DIR/pids/haproxy.pid
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  option forwardfor
  option redispatch
  retries 2
  retry-on conn-failure empty-response
frontend yibao
  bind 127.0.0.1:$HTTP0
  default_backend apps
backend apps
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 2
  server app1 127.0.0.1:$((HTTP0 + 1)) check
  server app2 127.0.0.1:$((HTTP0 + 2)) check
  server app3 127.0.0.1:$((HTTP0 + 3)) check
EOF
  haproxy -D -f "$DIR/haproxy.cfg" >"$DIR/log/haproxy.log" 2>&1
  wait_for 30 "haproxy" curl -fsS -o /dev/null "http://127.0.0.1:$HTTP0/readyz"
  echo "http://127.0.0.1:$HTTP0/" >"$DIR/address"
  grep -h "演示\|demo" "$DIR/log/app1.log" | head -40 || true
  say "集群已启动 / cluster up: 3 × yibao serve (127.0.0.1:$((HTTP0 + 1))-$((HTTP0 + 3))), PostgreSQL primary + standby (127.0.0.1:$((PGPORT0 + 1)),$((PGPORT0 + 2))), monitor :$PGPORT0"
  say "请在浏览器中打开 / open: http://127.0.0.1:$HTTP0/"
}

kill_pidfile() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

stop() {
  [ -d "$DIR/pids" ] || return 0
  [ "${1:-}" = quiet ] || say "停止集群 / stopping the cluster in $DIR"
  kill_pidfile "$DIR/pids/haproxy.pid"
  for i in 1 2 3; do kill_pidfile "$DIR/pids/app$i.pid"; done
  local d
  for d in "${NODES[@]}" "$MON"; do
    [ -d "$d" ] && autoctl stop --pgdata "$d" >/dev/null 2>&1 || true
  done
  for f in node1 node2 monitor; do kill_pidfile "$DIR/pids/$f.pid"; done
  # Keeper services orphaned by a killed keeper (the failure test kills one) are this cluster's
  # if they carry its XDG_CONFIG_HOME; they are stopped, and so is any postgres left behind.
  local p
  for p in $(pgrep -x pg_autoctl 2>/dev/null; pgrep -f '^pg_autoctl: ' 2>/dev/null); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "XDG_CONFIG_HOME=$DIR/xdg/config" \
      && kill "$p" 2>/dev/null || true
  done
  for d in "${NODES[@]}" "$MON"; do
    [ -f "$d/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$d" -m fast stop >/dev/null 2>&1 || true
  done
  return 0
}

status() {
  node_states
  for f in "$DIR"/pids/*.pid; do
    [ -f "$f" ] || continue
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid): running"; else echo "$(basename "$f" .pid): stopped"; fi
  done
}

case "${1:-run}" in
  run)
    trap 'stop; exit 0' INT TERM
    start
    say "按 Ctrl-C 停止 / Ctrl-C stops everything"
    while true; do sleep 3600; done
    ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "用法 / usage: $0 [run|start|stop|status]" ;;
esac
