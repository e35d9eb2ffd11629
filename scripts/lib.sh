# Shared helpers for scripts/serve-demo.sh and scripts/test.sh: check what the build needs on a
# Debian machine, install what apt can install (as root), and say clearly what is missing.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31m错误 / error: %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "缺少 $* 且本机没有 apt-get，请手动安装 / missing: $* (no apt-get here; install it by hand)"
  if [ -z "$APT_UPDATED" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
      || die "apt-get update 失败（需要 root 或 sudo）/ apt-get update failed (needs root or sudo)"
    APT_UPDATED=1
  fi
  say "安装 / installing: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "无法安装 $* / could not install: $*"
}

# The Rust toolchain: Debian's own rustc is too old for this workspace (needs 1.89+), so it comes
# from rustup; we check rather than download a toolchain behind the user's back.
need_rust() {
  if [ -f "$HOME/.cargo/env" ] && ! command -v cargo >/dev/null 2>&1; then . "$HOME/.cargo/env"; fi
  command -v cargo >/dev/null 2>&1 || die "未找到 cargo。请安装 Rust 1.89 或更新版本（https://rustup.rs）/ cargo not found: install Rust 1.89+ with rustup"
  local v; v=$(rustc --version | awk '{print $2}')
  local major minor; major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 89 ]; }; then
    die "rustc $v 太旧，需要 1.89 或更新版本（rustup update）/ rustc $v is too old: need 1.89+"
  fi
  command -v cc >/dev/null 2>&1 || apt_install build-essential
  command -v pkg-config >/dev/null 2>&1 || apt_install pkg-config
}
