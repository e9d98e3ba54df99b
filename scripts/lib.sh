# Shared helpers for scripts/run.sh, scripts/test.sh and scripts/build.sh.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export SQLX_OFFLINE="${SQLX_OFFLINE:-true}"
TOOLS="$ROOT/.tools"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $* (install it by hand, or run as root)"; fi
}

APT_UPDATED=""
# apt_install PKG... — installs the Debian packages that are missing.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# pg_bindir — the newest installed PostgreSQL server binaries (installs PostgreSQL if none).
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    apt_install postgresql
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  fi
  [ -x "$d/initdb" ] || die "PostgreSQL server binaries not found after installing postgresql"
  echo "$d"
}

# as_pg CMD... — PostgreSQL refuses to run as root; run as the 'postgres' user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/false postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_up DIR — initdb on first use, start if not running; listens on a socket in DIR/run only.
# Sets PG_SOCKET_DIR. Idempotent. The server inherits none of the caller's descriptors 3–9:
# a lock held there (flock in sqlx-prepare.sh, run.sh's) would otherwise live as long as
# PostgreSQL does.
pg_up() {
  local dir="$1" bin
  bin=$(pg_bindir)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "creating a private PostgreSQL cluster in $dir/data"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  as_pg mkdir -p "$dir/run"
  PG_SOCKET_DIR="$dir/run"
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/run' -c max_connections=200 -c fsync=${PG_FSYNC:-on}" start >/dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
      || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start (log: $dir/postgres.log)"; }
  fi
}

pg_down() {
  local dir="$1" bin
  bin=$(pg_bindir)
  if [ -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# pg_app_url DB ROLE — the URL of database DB for ROLE, the ordinary login role the console
# serves as (no superuser, owns nothing); creates both when missing. The database and its
# tables belong to postgres, who migrates them — `polar-console migrate` with
# POLAR_DATABASE_OWNER_URL=$(pg_url DB) — and grants ROLE what it needs: on the audit tables
# only SELECT and INSERT, so the console cannot rewrite history, grant itself more, or switch
# the append-only trigger off. (A database from before this split, owned by ROLE, is taken
# over by the next migrate.)
pg_app_url() {
  local db="$1" role="$2" bin
  bin=$(pg_bindir)
  if ! as_pg "$bin/psql" -h "$PG_SOCKET_DIR" -U postgres -d postgres -tAc "select 1 from pg_roles where rolname='$role'" | grep -q 1; then
    as_pg "$bin/psql" -q -h "$PG_SOCKET_DIR" -U postgres -d postgres -c "CREATE ROLE \"$role\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" >/dev/null
  fi
  pg_url "$db" >/dev/null
  echo "postgres://$role@localhost/$db?host=$PG_SOCKET_DIR"
}

# pg_url DB — a connection URL for database DB on the private cluster (created if missing).
pg_url() {
  local db="$1" bin
  bin=$(pg_bindir)
  if ! as_pg "$bin/psql" -h "$PG_SOCKET_DIR" -U postgres -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    as_pg "$bin/createdb" -h "$PG_SOCKET_DIR" -U postgres "$db"
  fi
  echo "postgres://postgres@localhost/$db?host=$PG_SOCKET_DIR"
}

# --- Rust toolchains for the two halves ---------------------------------------------

# wasm_setup — decides how to build wasm32 on this machine and exports what it needs:
#  * rustup can add wasm32-unknown-unknown: the ordinary route;
#  * otherwise (no internet beyond the package registries): Debian's rustc-web with its
#    std source, rebuilding std for wasm32 (build-std) and linking with lld.
# Sets WASM_CARGO (a cargo command prefix) and WASM_ENV (env assignments).
wasm_setup() {
  WASM_ENV=()
  local route="${WASM_ROUTE:-auto}"   # auto | rustup | debian-web
  if [ "$route" != "debian-web" ] && { rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
     || rustup target add wasm32-unknown-unknown >/dev/null 2>&1; }; then
    log "wasm32: using rustup's wasm32-unknown-unknown target"
    WASM_CARGO=(cargo)
    return
  fi
  [ "$route" = "rustup" ] && die "WASM_ROUTE=rustup but rustup cannot add wasm32-unknown-unknown here"
  log "wasm32: rustup cannot add the target here; using Debian's rustc-web with build-std"
  apt_install rustc-web cargo-web rust-web-src lld-19
  if ! rustup toolchain list | grep -q '^debian-web'; then
    rustup toolchain link debian-web /usr >/dev/null
  fi
  WASM_CARGO=(cargo +debian-web)
  WASM_ENV=(RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld)
}

# wasm_bindgen_setup — a wasm-bindgen CLI of exactly the version in Cargo.lock, in .tools/.
# Sets WASM_SPLIT: tools/wasm-split (the splitter cargo-leptos uses, as a small binary),
# installed into .tools/ once per version of its source.
wasm_split_setup() {
  local sum dir=$ROOT/tools/wasm-split
  sum=$(cat "$dir/Cargo.toml" "$dir/Cargo.lock" "$dir/src/main.rs" "$dir/chunk-areas.patch" | sha256sum | cut -c1-12)
  WASM_SPLIT="$TOOLS/wasm-split-$sum/bin/polar-wasm-split"
  [ -x "$WASM_SPLIT" ] && return
  wasm_split_source
  log "installing the wasm splitter (tools/wasm-split) into .tools/ (once)"
  cargo install -q --locked --path "$dir" --root "$TOOLS/wasm-split-$sum" \
    --target-dir "$CARGO_TARGET_DIR/tools" || die "cargo install of tools/wasm-split failed"
}

# The splitter's library: wasm_split_cli_support 0.2.4 from crates.io (checked against its
# published SHA-256) with tools/wasm-split/chunk-areas.patch applied, in
# tools/wasm-split/patched/ (not committed).
WASM_SPLIT_LIB_SHA256=f6c1f994b196e31969f4cdbe37d051362659567efc0f5c90cb931a8a5cdc530f
wasm_split_source() {
  local dir=$ROOT/tools/wasm-split crate mark
  mark="$dir/patched/.applied-$(sha256sum < "$dir/chunk-areas.patch" | cut -c1-12)"
  [ -f "$mark" ] && return
  apt_install ca-certificates curl
  crate=$(mktemp)
  curl -fsSL -o "$crate" \
    https://static.crates.io/crates/wasm_split_cli_support/wasm_split_cli_support-0.2.4.crate \
    || die "cannot download wasm_split_cli_support 0.2.4 from crates.io"
  echo "$WASM_SPLIT_LIB_SHA256  $crate" | sha256sum -c --quiet \
    || die "wasm_split_cli_support 0.2.4: not the published crate (SHA-256 differs)"
  rm -rf "$dir/patched" && mkdir -p "$dir/patched"
  tar xzf "$crate" -C "$dir/patched" --strip-components=1 && rm -f "$crate"
  git -C "$ROOT" apply --directory=tools/wasm-split/patched "$dir/chunk-areas.patch" \
    || die "tools/wasm-split/chunk-areas.patch does not apply"
  touch "$mark"
}

wasm_bindgen_setup() {
  local ver
  ver=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")
  [ -n "$ver" ] || die "wasm-bindgen not found in Cargo.lock"
  WASM_BINDGEN="$TOOLS/wasm-bindgen-$ver/bin/wasm-bindgen"
  if [ -x "$WASM_BINDGEN" ]; then return; fi
  if command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$ver" ]; then
    WASM_BINDGEN=$(command -v wasm-bindgen); return
  fi
  log "installing wasm-bindgen-cli $ver into .tools/ (once)"
  # Not --locked: a dependency locked by that release is missing from the registry.
  cargo install -q wasm-bindgen-cli --version "$ver" --root "$TOOLS/wasm-bindgen-$ver" \
    || die "cargo install wasm-bindgen-cli $ver failed"
}
