#!/usr/bin/env bash
# Runs Polar Console on embedded defaults: a private PostgreSQL in .data/pg (created on
# first run, kept between runs), the PolarDB emulator registered as the cloud account
# "sandbox", and a bootstrap administrator. Ctrl-C stops all three.
#
# Environment: DATABASE_URL (use that PostgreSQL instead; with POLAR_DATABASE_OWNER_URL
# the owner's URL, used only to migrate), POLAR_LISTEN (default
# 127.0.0.1:8080), EMULATOR_LISTEN (default 127.0.0.1:9090), RUN_PROFILE=dev
# (skip the release build), and any other POLAR_* setting (see README).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DATA="$ROOT/.data"
mkdir -p "$DATA"
chmod 711 "$DATA"   # postgres (when we are root) must reach .data/pg; secrets inside are 600

# One console per checkout: a second run says so instead of failing half-way.
exec 9>"$DATA/run.lock"
if ! flock -n 9; then
  die "Polar Console is already running from this checkout (see $DATA/run.pid: pid $(cat "$DATA/run.pid" 2>/dev/null || echo '?')). Stop it with Ctrl-C in its terminal first."
fi
echo $$ > "$DATA/run.pid"

apt_install ca-certificates curl
if [ "${RUN_PROFILE:-release}" = "dev" ]; then
  "$ROOT/scripts/build.sh"; bindir="$CARGO_TARGET_DIR/debug"; site="$CARGO_TARGET_DIR/site"
else
  "$ROOT/scripts/build.sh" --release; bindir="$CARGO_TARGET_DIR/release"; site="$CARGO_TARGET_DIR/site-release"
fi

# Secrets of this installation, made once and kept in .data (mode 600).
secret_file() {
  local f="$DATA/$1"
  if [ ! -s "$f" ]; then (umask 077; head -c "$2" /dev/urandom | base64 | tr -d '\n=' | tr '+/' 'xy' > "$f"); fi
  cat "$f"
}
[ -s "$DATA/master.key" ] || (umask 077; head -c 32 /dev/urandom | base64 > "$DATA/master.key")
emu_secret=$(secret_file emulator.secret 24)
admin_password=$(secret_file admin-password 15)

PG_STARTED=""
EMU_PID=""
APP_PID=""
cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null || true
  if [ -n "$PG_STARTED" ]; then pg_down "$DATA/pg"; fi
  rm -f "$DATA/run.pid"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${DATABASE_URL:-}" ] && [ -z "${POLAR_DATABASE_URL:-}" ]; then
  pg_up "$DATA/pg" 9>&-    # the lock stays with this script, not with PostgreSQL
  PG_STARTED=1
  # The console serves as polar_console, which owns nothing; postgres owns and migrates.
  export DATABASE_URL; DATABASE_URL=$(pg_app_url polar_console polar_console)
  OWNER_URL=$(pg_url polar_console)
fi

emu_listen="${EMULATOR_LISTEN:-127.0.0.1:9090}"
POLARDB_EMULATOR_ACCESS_KEYS="LTAIsandbox0000emu:$emu_secret" \
  "$bindir/polardb-emulator" --listen "$emu_listen" > "$DATA/emulator.log" 2>&1 9>&- &
EMU_PID=$!
for _ in $(seq 50); do
  grep -q "listening" "$DATA/emulator.log" 2>/dev/null && break
  kill -0 "$EMU_PID" 2>/dev/null || { cat "$DATA/emulator.log" >&2; die "the emulator did not start (is $emu_listen taken? set EMULATOR_LISTEN)"; }
  sleep 0.1
done

export POLAR_MASTER_KEY_FILE="$DATA/master.key"
export POLAR_BOOTSTRAP_ADMIN_PASSWORD="$admin_password"
export POLAR_CLOUD_ACCOUNT_ENDPOINT="http://$emu_listen/"
# The emulator is plain http on loopback: marked as an emulator, and private addresses allowed.
export POLAR_CLOUD_ACCOUNT_EMULATOR=true POLAR_ALLOW_PRIVATE_ENDPOINTS=true
export POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID="LTAIsandbox0000emu"
export POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET="$emu_secret"
export POLAR_SITE_ROOT="$site"
export POLAR_LISTEN="${POLAR_LISTEN:-127.0.0.1:8080}"

# Migrations run as the owner (POLAR_DATABASE_OWNER_URL, or postgres on the private
# PostgreSQL), which grants the console's role what it needs; the serving process never
# gets the owner's URL.
OWNER_URL="${POLAR_DATABASE_OWNER_URL:-${OWNER_URL:-}}"
unset POLAR_DATABASE_OWNER_URL
if [ -n "$OWNER_URL" ]; then
  POLAR_DATABASE_OWNER_URL="$OWNER_URL" "$bindir/polar-console" migrate 9>&- \
    || die "polar-console migrate failed (output above)"
fi

cat <<MSG

  Polar Console is starting on http://$POLAR_LISTEN/
  Sign in as   admin
  password     $admin_password   (kept in .data/admin-password; used when the first user is created)
  Cloud account "sandbox" is the PolarDB emulator on http://$emu_listen/
  Stop with Ctrl-C. Data stays in .data/ for the next run.

MSG
"$bindir/polar-console" serve 9>&- &
APP_PID=$!
# Wait in the background so that Ctrl-C or a TERM runs the clean-up at once.
wait "$APP_PID"
