#!/usr/bin/env bash
# Runs the benchmarks (release profile) against a throwaway PostgreSQL and the emulator;
# prints medians, p99s and ratios against baselines measured in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d /tmp/polar-bench.XXXXXX); chmod 711 "$TMP"
trap 'pg_down "$TMP/pg"; rm -rf "$TMP"' EXIT
PG_FSYNC=on pg_up "$TMP/pg" >/dev/null
export TEST_DATABASE_URL; TEST_DATABASE_URL=$(pg_url postgres)
cargo bench -q -p tests --bench gateway
# Sign-in under pressure: peak resident memory and the 200/401/429 answers of 150
# concurrent sign-ins (argon2id holds 19 MiB per hash; the hashing cap bounds it).
cargo bench -q -p tests --bench sign_in
