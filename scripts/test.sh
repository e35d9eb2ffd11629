#!/usr/bin/env bash
# Runs the whole test suite: unit and property tests, and the integration tests against both
# SQLite and PostgreSQL. Makes sure PostgreSQL is there and running first (installs it with apt on
# a fresh Debian machine when run as root). Ends with "tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_rust

# --- PostgreSQL ---------------------------------------------------------------------------
PG_URL=${YIBAO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
pg_start() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    local ver; ver=$(ls /etc/postgresql | sort -V | tail -n 1)
    say "启动 PostgreSQL $ver / starting PostgreSQL $ver"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null \
      || as_root pg_ctlcluster "$ver" main start || true
  fi
}
pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

if [ -z "${YIBAO_TEST_POSTGRES_URL:-}" ]; then
  if ! pg_up; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then apt_install postgresql postgresql-client; fi
    pg_start
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  pg_up || die "PostgreSQL 未在 127.0.0.1:5432 运行，且无法启动 / PostgreSQL is not running on 127.0.0.1:5432 and could not be started"
  if ! psql "$PG_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    # A fresh Debian install asks for a password on TCP: give the postgres role a test password
    # and create the `test` database (local socket as the postgres user).
    say "配置测试数据库 / setting up the test database"
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'yibao-test'\"" >/dev/null \
      || die "无法配置 PostgreSQL 的 postgres 用户 / cannot configure the postgres role"
    as_root su postgres -c "createdb test" 2>/dev/null || true
    PG_URL=postgres://postgres:yibao-test@127.0.0.1:5432/test
  fi
  psql "$PG_URL" -qAtc 'SELECT 1' >/dev/null 2>&1 \
    || die "无法连接 $PG_URL（需要能建库的用户）/ cannot connect to $PG_URL (needs a role that may CREATE DATABASE)"
fi
export YIBAO_TEST_POSTGRES_URL="$PG_URL"
say "PostgreSQL: $(psql "$PG_URL" -qAtc 'SHOW server_version') at ${PG_URL%%@*}@… ; SQLite: embedded"

# --- Browser for the end-to-end tests ------------------------------------------------------
# Debian's chromium and chromium-driver, run headless; no browser is downloaded.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  apt_install chromium chromium-driver
fi
# Pages are Chinese: the layout tests measure them in a real CJK font, as users see them.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  apt_install fonts-noto-cjk
fi
export YIBAO_CHROMIUM=${YIBAO_CHROMIUM:-$(command -v chromium)}
export YIBAO_CHROMEDRIVER=${YIBAO_CHROMEDRIVER:-$(command -v chromedriver)}
say "浏览器 / browser: $("$YIBAO_CHROMIUM" --version 2>/dev/null | head -n 1)"

# --- Tests ---------------------------------------------------------------------------------
log=$(mktemp)
trap 'rm -f "$log"' EXIT
say "运行测试 / running tests"
set +e
# --no-fail-fast: one failing test binary must not hide the results of the ones after it.
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# --- The failure test (issue 24): on CI, or when asked --------------------------------------
# A primary and a standby PostgreSQL under pg_auto_failover, three yibao processes behind haproxy,
# settlement load while one process and then the primary are killed: 0 lost, 0 doubled
# (docs/operations.md). About 4 minutes; YIBAO_FAILOVER_TEST=0 skips it, =1 runs it outside CI.
if [ "${YIBAO_FAILOVER_TEST:-${CI:-false}}" = 1 ] || [ "${YIBAO_FAILOVER_TEST:-${CI:-false}}" = true ]; then
  say "故障演练 / failure test: scripts/failover-test.sh (time-bounded)"
  if [ -x "${CARGO_TARGET_DIR:-target}/debug/yibao" ] && [ -z "${YIBAO_BIN:-}" ]; then
    export YIBAO_BIN="${CARGO_TARGET_DIR:-target}/debug/yibao"
  fi
  set +e
  timeout 900 bash scripts/failover-test.sh 2>&1 | tee -a "$log"
  failover=${PIPESTATUS[0]}
  set -e
  if [ "$failover" -ne 0 ]; then
    echo "error: the failure test failed (exit $failover)" >&2
    status=1
  fi
fi

passed=$(awk '/^test result:/ { for (i = 1; i < NF; i++) if ($(i+1) ~ /^passed/) s += $i } END { print s + 0 }' "$log")
failed=$(awk '/^test result:/ { for (i = 1; i < NF; i++) if ($(i+1) ~ /^failed/) s += $i } END { print s + 0 }' "$log")
sqlite=$(grep -cE '^test .*::sqlite \.\.\. ok$|^test .*_sqlite \.\.\. ok$' "$log" || true)
postgres=$(grep -cE '^test .*::postgres \.\.\. ok$|^test .*_postgres \.\.\. ok$' "$log" || true)
echo
echo "stores: sqlite ${sqlite} integration tests passed, postgres ${postgres} integration tests passed"
if [ "$status" -eq 0 ] && { [ "$sqlite" -eq 0 ] || [ "$postgres" -eq 0 ]; }; then
  echo "error: an integration suite did not run against both stores" >&2
  status=1
fi
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
