#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests against a throwaway
# PostgreSQL and the emulator over HTTP, and end-to-end tests in headless Chromium.
# Installs what it needs (apt-get, cargo install, npm) on a fresh machine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
started=$(date +%s)

log "prerequisites"
apt_install ca-certificates chromium chromium-driver
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

TMP=$(mktemp -d /tmp/polar-test.XXXXXX)
chmod 711 "$TMP"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  pg_down "$TMP/pg"
  rm -rf "$TMP"
}
trap cleanup EXIT

log "throwaway PostgreSQL in $TMP/pg"
PG_FSYNC=off pg_up "$TMP/pg"
export TEST_DATABASE_URL; TEST_DATABASE_URL=$(pg_url postgres)

log "cargo fmt --check"
cargo fmt --all -- --check

"$ROOT/scripts/build.sh"

log "cargo clippy (all targets, warnings are errors)"
cargo clippy -q --workspace --all-targets -- -D warnings

log "unit and integration tests"
if ! cargo test --workspace > "$TMP/cargo-test.log" 2>&1; then
  cat "$TMP/cargo-test.log" >&2
  die "cargo test failed (output above)"
fi
grep -E "^(running|test result)" "$TMP/cargo-test.log"

# --- sdk conformance (begin) ---
# The official Python SDKs (v3 via alibabacloud-polardb20170801, v2 via aliyun-python-sdk-core)
# against the emulator binary; see tests/sdk/conformance.py.
log "official Python SDKs against the emulator"
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q \
  aliyun-python-sdk-core alibabacloud-tea-openapi alibabacloud-polardb20170801 \
  || die "pip install of the Alibaba Cloud Python SDKs failed"
sdk_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sdk_key="LTAIsdk00000000key:$(head -c 18 /dev/urandom | base64)"
POLARDB_EMULATOR_ACCESS_KEYS="$sdk_key" \
  "$CARGO_TARGET_DIR/debug/polardb-emulator" --listen "127.0.0.1:$sdk_port" > "$TMP/sdk-emulator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  grep -q "listening on" "$TMP/sdk-emulator.log" 2>/dev/null && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$TMP/sdk-emulator.log" >&2; die "the emulator for the SDK tests did not start"; }
  sleep 0.1
done
# The key reaches the script through the environment, not its command line.
if ! POLARDB_EMULATOR_ACCESS_KEYS="$sdk_key" \
  python3 "$ROOT/tests/sdk/conformance.py" --endpoint "http://127.0.0.1:$sdk_port" 2>&1 | tee "$TMP/sdk.log"; then
  die "the official SDKs disagree with the emulator (tests/sdk/conformance.py, output above)"
fi
if grep -qF -- "${sdk_key#*:}" "$TMP/sdk.log" "$TMP/sdk-emulator.log"; then
  die "the SDK tests' secret appeared in a log"
fi
# --- sdk conformance (end) ---

log "end-to-end tests in headless Chromium"
(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --silent)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
emu_port=$(free_port); app_port=$(free_port)
emu_secret=$(head -c 18 /dev/urandom | base64)
second_secret="e2e-second-$(head -c 12 /dev/urandom | base64 | tr '+/=' 'xyz')"
db_password="Pw-$(head -c 12 /dev/urandom | base64 | tr '+/=' 'xyz')!"
admin_password=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
POLARDB_EMULATOR_ACCESS_KEYS="LTAIe2e00000000key:$emu_secret,LTAIe2esecond0000:$second_secret" \
  "$CARGO_TARGET_DIR/debug/polardb-emulator" --listen "127.0.0.1:$emu_port" > "$TMP/emulator.log" 2>&1 &
PIDS+=($!)
POLAR_DATABASE_URL=$(pg_app_url e2e polar_e2e) \
POLAR_LISTEN="127.0.0.1:$app_port" \
POLAR_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
POLAR_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" \
POLAR_CLOUD_ACCOUNT_ENDPOINT="http://127.0.0.1:$emu_port/" \
POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID="LTAIe2e00000000key" \
POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET="$emu_secret" \
POLAR_SITE_ROOT="$CARGO_TARGET_DIR/site" \
  "$CARGO_TARGET_DIR/debug/polar-console" serve > "$TMP/console.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  grep -q "serving on" "$TMP/console.log" 2>/dev/null && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$TMP/console.log" >&2; die "the console did not start"; }
  sleep 0.2
done
(cd "$ROOT/tests/e2e" && E2E_BASE_URL="http://127.0.0.1:$app_port" E2E_PASSWORD="$admin_password" \
  E2E_KEY_ID=LTAIe2esecond0000 E2E_KEY_SECRET="$second_secret" E2E_DB_PASSWORD="$db_password" \
  E2E_EMULATOR_URL="http://127.0.0.1:$emu_port/" \
  E2E_SCREENSHOT="${E2E_SCREENSHOT:-}" node --test) 2>&1 | tee "$TMP/e2e.log"

# No secret may reach a log line, nor any column of any table (raw bytes of a full dump).
as_pg "$(pg_bindir)/pg_dump" -h "$PG_SOCKET_DIR" -U postgres e2e > "$TMP/e2e.sql"
for f in "$TMP/console.log" "$TMP/emulator.log" "$TMP/e2e.sql"; do
  for s in "$emu_secret" "$second_secret" "$db_password" "$admin_password"; do
    if grep -qF -- "$s" "$f"; then die "a secret appeared in $(basename "$f")"; fi
  done
done
grep -q "e2e_user" "$TMP/e2e.sql" || die "the e2e write is not in the audit trail"
# The console's own role cannot rewrite history, and the chain it wrote verifies.
if as_pg "$(pg_bindir)/psql" -q -h "$PG_SOCKET_DIR" -U polar_e2e -d e2e -c "UPDATE audit_events SET outcome = 'ok'" >/dev/null 2>&1; then
  die "the console's database role could UPDATE audit_events"
fi
POLAR_DATABASE_URL=$(pg_app_url e2e polar_e2e) POLAR_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
  "$CARGO_TARGET_DIR/debug/polar-console" audit verify || die "audit verify failed on the e2e database"
log "no secret in the logs or the database dump"

rust_passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$TMP/cargo-test.log" | awk '{s+=$4} END {print s+0}')
e2e_passed=$(awk '/^# pass /{print $3}' "$TMP/e2e.log")
log "all tests passed in $(( $(date +%s) - started )) s"
echo "tests: $(( rust_passed + e2e_passed )) passed, 0 failed"
