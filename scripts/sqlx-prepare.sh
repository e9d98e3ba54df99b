#!/usr/bin/env bash
# Regenerates .sqlx/ (the offline query data the build uses with SQLX_OFFLINE=true) from
# a scratch database with every migration applied. Run after changing a query! or a migration.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
pg_up "$ROOT/.data/devpg"
bin=$(pg_bindir)
as_pg "$bin/dropdb" -h "$PG_SOCKET_DIR" -U postgres --if-exists polar_sqlx
url=$(pg_url polar_sqlx)
for f in "$ROOT"/migrations/*.sql; do
  as_pg "$bin/psql" -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -U postgres -d polar_sqlx -f "$f" >/dev/null
done
rm -rf "$ROOT/.sqlx" && mkdir -p "$ROOT/.sqlx"
# Touch the crates with queries so the macros run again and write their data.
touch "$ROOT"/backend/src/*.rs
DATABASE_URL="$url" SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$ROOT/.sqlx" cargo check -q -p backend --all-targets
log "wrote $(ls "$ROOT/.sqlx" | wc -l) query files to .sqlx/"
