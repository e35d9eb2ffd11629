#!/usr/bin/env bash
# Builds yibao and runs it with demo data on the embedded SQLite database (./yibao-data/).
# Prints the address to open. Extra arguments go to `yibao serve` (e.g. --bind 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_rust
say "编译 yibao（首次约需数分钟）/ building yibao (first build takes a few minutes)"
cargo build --release --locked --bin yibao
say "启动 / starting: target/release/yibao serve --demo $*"
exec target/release/yibao serve --demo "$@"
