#!/usr/bin/env bash
# Measures what the README's performance section reports, on the release build:
#  * in headless Chromium: the bytes of a cold, signed-in first load of /clusters (HTML, CSS,
#    JS, wasm chunks, as served), network idle on loopback and on 10 Mbit/s with 40 ms, and
#    what opening a cluster tab loads,
#  * the console's resident memory when idle.
# Usage: scripts/measure.sh   (builds the release first)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ "${SKIP_BUILD:-}" = 1 ] || "$ROOT/scripts/build.sh" --release
bin="$CARGO_TARGET_DIR/release"
TMP=$(mktemp -d /tmp/polar-measure.XXXXXX); chmod 711 "$TMP"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; pg_down "$TMP/pg"; rm -rf "$TMP"; }
trap cleanup EXIT
PG_FSYNC=off pg_up "$TMP/pg" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
emu_port=$(free_port); app_port=$(free_port)
POLARDB_EMULATOR_ACCESS_KEYS="LTAImeasure000000:measure-secret" "$bin/polardb-emulator" --listen "127.0.0.1:$emu_port" >"$TMP/emu.log" 2>&1 &
PIDS+=($!)
POLAR_DATABASE_URL=$(pg_app_url measure polar_measure) POLAR_DATABASE_OWNER_URL=$(pg_url measure) POLAR_LISTEN="127.0.0.1:$app_port" POLAR_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
POLAR_BOOTSTRAP_ADMIN_PASSWORD=measure-password-1 POLAR_CLOUD_ACCOUNT_ENDPOINT="http://127.0.0.1:$emu_port/" \
POLAR_CLOUD_ACCOUNT_EMULATOR=true POLAR_ALLOW_PRIVATE_ENDPOINTS=true POLAR_COOKIE_SECURE=false \
POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID=LTAImeasure000000 POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET=measure-secret \
POLAR_SITE_ROOT="$CARGO_TARGET_DIR/site-release" "$bin/polar-console" serve >"$TMP/console.log" 2>&1 &
APP=$!; PIDS+=($APP)
for _ in $(seq 100); do grep -q "serving on" "$TMP/console.log" && break; sleep 0.2; done
base="http://127.0.0.1:$app_port"
act=$(curl -s "$base/signin" | grep -o 'action="/api/sign_in[0-9]*"' | cut -d'"' -f2)
cookie=$(curl -s -D - -o /dev/null -H 'accept: text/html' -H "origin: $base" \
  --data-urlencode username=admin --data-urlencode password=measure-password-1 "$base$act" \
  | awk -F'[ ;]' 'tolower($1)=="set-cookie:"{print $2}')
# The browser's own figures (tests/e2e/measure.mjs): every byte of a cold, signed-in first
# load, network idle on loopback and on a throttled link, and what a tab loads afterwards.
apt_install chromium
(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --silent)
MEASURE_BASE="$base" MEASURE_COOKIES="$(echo "$cookie" | paste -sd';')" node "$ROOT/tests/e2e/measure.mjs"
sleep 10
rss=$(awk '/VmRSS/{print $2}' /proc/$APP/status)
echo "idle resident memory: $((rss / 1024)) MiB ($rss kB) after serving the page and 10 s idle"
