#!/usr/bin/env bash
# Builds yibao and runs it with demo data on the embedded SQLite database (./yibao-data/).
# Prints the address to open. Extra arguments go to `yibao serve` (e.g. --bind 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_rust
# Documents download as PDF with a CJK font embedded; without one, pages still print.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  ( apt_install fonts-noto-cjk ) \
    || say "未安装中文字体，PDF 下载不可用（可安装 fonts-noto-cjk）/ no CJK font: PDF downloads are off (install fonts-noto-cjk)"
fi
say "编译 yibao（首次约需数分钟）/ building yibao (first build takes a few minutes)"
cargo build --release --locked --bin yibao
say "启动 / starting: target/release/yibao serve --demo $*"
exec target/release/yibao serve --demo "$@"
