#!/usr/bin/env bash
# Runs the benchmarks (release profile) against a throwaway PostgreSQL and the emulator;
# prints medians, p99s and ratios against baselines measured in the same run.
# BENCH=gateway, BENCH=sign_in or BENCH=calls runs only that one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d /tmp/polar-bench.XXXXXX); chmod 711 "$TMP"
trap 'pg_down "$TMP/pg"; rm -rf "$TMP"' EXIT
PG_FSYNC=on pg_up "$TMP/pg" >/dev/null
export TEST_DATABASE_URL; TEST_DATABASE_URL=$(pg_url postgres)
wanted() { [ -z "${BENCH:-}" ] || [ "$BENCH" = "$1" ]; }
if wanted gateway; then cargo bench -q -p tests --bench gateway; fi
# Sign-in under pressure: peak resident memory and the 200/401/429 answers of 150
# concurrent sign-ins (argon2id holds 19 MiB per hash; the hashing cap bounds it).
if wanted sign_in; then cargo bench -q -p tests --bench sign_in; fi
wanted calls || exit 0

# Audited calls over HTTP (benches/calls.rs): two console processes (release build) on one
# database, the emulator, the load generator; then the chain they wrote is verified.
log "audited calls over HTTP: the console against direct calls"
cargo build -q --release -p server -p emulator --bins
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BIN="$CARGO_TARGET_DIR/release"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; pg_down "$TMP/pg"; rm -rf "$TMP"' EXIT
emu_port=$(free_port)
key_id="LTAIbench0000000key"
key_secret=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
POLARDB_EMULATOR_ACCESS_KEYS="$key_id:$key_secret" "$BIN/polardb-emulator" --listen "127.0.0.1:$emu_port" \
  > "$TMP/emulator.log" 2>&1 &
PIDS+=($!)
master_key=$(head -c 32 /dev/urandom | base64)
admin_password=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
app_db_url=$(pg_app_url bench polar_bench)
POLAR_DATABASE_URL="$app_db_url" POLAR_DATABASE_OWNER_URL=$(pg_url bench) POLAR_MASTER_KEY="$master_key" \
  "$BIN/polar-console" migrate > "$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log" >&2; die "migrate failed"; }
consoles=() console_pids=()
for name in a b; do
  port=$(free_port)
  POLAR_DATABASE_URL="$app_db_url" POLAR_LISTEN="127.0.0.1:$port" POLAR_MASTER_KEY="$master_key" \
  POLAR_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" \
  POLAR_CLOUD_ACCOUNT_ENDPOINT="http://127.0.0.1:$emu_port/" POLAR_CLOUD_ACCOUNT_EMULATOR=true \
  POLAR_ALLOW_PRIVATE_ENDPOINTS=true POLAR_CLOUD_ACCOUNT_SIGNATURE=v2 POLAR_CALLS_PER_MINUTE=1000000 \
  POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID="$key_id" POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET="$key_secret" \
    "$BIN/polar-console" serve > "$TMP/console-$name.log" 2>&1 &
  PIDS+=($!); console_pids+=($!); consoles+=("http://127.0.0.1:$port")
  for _ in $(seq 100); do
    grep -q "serving on" "$TMP/console-$name.log" 2>/dev/null && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$TMP/console-$name.log" >&2; die "console $name did not start"; }
    sleep 0.2
  done
done
BENCH_CONSOLES=$(IFS=,; echo "${consoles[*]}") BENCH_CONSOLE_PIDS=$(IFS=,; echo "${console_pids[*]}") \
BENCH_EMULATOR="http://127.0.0.1:$emu_port/" BENCH_ADMIN_PASSWORD="$admin_password" \
BENCH_KEY_ID="$key_id" BENCH_KEY_SECRET="$key_secret" \
  cargo bench -q -p tests --bench calls
records=$(as_pg "$(pg_bindir)/psql" -h "$PG_SOCKET_DIR" -U postgres -d bench -tAc "select count(*) from audit_events")
POLAR_DATABASE_URL="$app_db_url" POLAR_MASTER_KEY="$master_key" "$BIN/polar-console" audit verify \
  > "$TMP/verify.log" 2>&1 || { cat "$TMP/verify.log" >&2; die "audit verify failed after the two consoles wrote"; }
echo "audit verify after both consoles: intact ($records records)"
