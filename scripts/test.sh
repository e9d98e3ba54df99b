#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests against a throwaway
# PostgreSQL and the emulator over HTTP, and end-to-end tests in headless Chromium.
# Installs what it needs (apt-get, cargo install, npm) on a fresh machine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
started=$(date +%s)
# One full build, not an incremental one: incremental caches of a test run cost tens of GB.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

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
# A superuser: the harness migrates each test's database as it (the owner) and runs the
# console as an ordinary role it creates, polar_test_app, which owns nothing.
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

E2E_LOG="$TMP/e2e.log" SKIP_BUILD=1 "$ROOT/scripts/e2e.sh"

rust_passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$TMP/cargo-test.log" | awk '{s+=$4} END {print s+0}')
e2e_passed=$(awk '/^# pass /{print $3}' "$TMP/e2e.log")
log "all tests passed in $(( $(date +%s) - started )) s"
echo "tests: $(( rust_passed + e2e_passed )) passed, 0 failed"
