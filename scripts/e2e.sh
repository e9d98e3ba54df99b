#!/usr/bin/env bash
# The end-to-end tests in headless Chromium, on their own: a throwaway PostgreSQL, the
# emulator and the console (dev build), then `node --test` over tests/e2e.
#   scripts/e2e.sh                      every browser test
#   scripts/e2e.sh cluster.test.mjs     only the named files (in tests/e2e)
# SKIP_BUILD=1 uses the binaries and site already built (scripts/test.sh builds first).
# Afterwards it checks that no secret reached a log line or any table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

apt_install ca-certificates chromium chromium-driver
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
[ -n "${SKIP_BUILD:-}" ] || "$ROOT/scripts/build.sh"

TMP=$(mktemp -d /tmp/polar-e2e.XXXXXX)
chmod 711 "$TMP"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  pg_down "$TMP/pg"
  rm -rf "$TMP"
}
trap cleanup EXIT
PG_FSYNC=off pg_up "$TMP/pg"
E2E_LOG="${E2E_LOG:-$TMP/e2e.log}"

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
# The console serves as polar_e2e, which owns nothing; postgres owns the tables and migrates.
master_key=$(head -c 32 /dev/urandom | base64)
app_db_url=$(pg_app_url e2e polar_e2e)
POLAR_DATABASE_URL="$app_db_url" POLAR_DATABASE_OWNER_URL=$(pg_url e2e) POLAR_MASTER_KEY="$master_key" \
  "$CARGO_TARGET_DIR/debug/polar-console" migrate > "$TMP/migrate.log" 2>&1 \
  || { cat "$TMP/migrate.log" >&2; die "polar-console migrate failed"; }
POLAR_DATABASE_URL="$app_db_url" \
POLAR_LISTEN="127.0.0.1:$app_port" \
POLAR_MASTER_KEY="$master_key" \
POLAR_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" \
POLAR_CLOUD_ACCOUNT_ENDPOINT="http://127.0.0.1:$emu_port/" \
POLAR_CLOUD_ACCOUNT_EMULATOR=true POLAR_ALLOW_PRIVATE_ENDPOINTS=true \
POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID="LTAIe2e00000000key" \
POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET="$emu_secret" \
POLAR_SITE_ROOT="${SITE_DIR:-$CARGO_TARGET_DIR/site}" \
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
  E2E_SCREENSHOT="${E2E_SCREENSHOT:-}" node --test --test-concurrency=1 "$@") 2>&1 | tee "$E2E_LOG"

# No secret may reach a log line, nor any column of any table (raw bytes of a full dump).
as_pg "$(pg_bindir)/pg_dump" -h "$PG_SOCKET_DIR" -U postgres e2e > "$TMP/e2e.sql"
for f in "$TMP/console.log" "$TMP/emulator.log" "$TMP/e2e.sql"; do
  for s in "$emu_secret" "$second_secret" "$db_password" "$admin_password"; do
    if grep -qF -- "$s" "$f"; then die "a secret appeared in $(basename "$f")"; fi
  done
done
[ $# -gt 0 ] || grep -q "e2e_user" "$TMP/e2e.sql" || die "the e2e write is not in the audit trail"
# The console's own role cannot rewrite history, and the chain it wrote verifies.
for sql in "UPDATE audit_events SET outcome = 'ok'" "ALTER TABLE audit_events DISABLE TRIGGER ALL"; do
  if as_pg "$(pg_bindir)/psql" -q -h "$PG_SOCKET_DIR" -U polar_e2e -d e2e -c "$sql" >/dev/null 2>&1; then
    die "the console's database role could: $sql"
  fi
done
POLAR_DATABASE_URL="$app_db_url" POLAR_MASTER_KEY="$master_key" \
  "$CARGO_TARGET_DIR/debug/polar-console" audit verify || die "audit verify failed on the e2e database"
log "no secret in the logs or the database dump"

