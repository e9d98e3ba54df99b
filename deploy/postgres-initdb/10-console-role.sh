#!/bin/sh
# Runs once, when the PostgreSQL volume is first created (docker-entrypoint-initdb.d).
# POSTGRES_USER owns the database and its tables and runs `polar-console migrate`; the
# console serves as polar_console, which owns nothing: migrate grants it what it needs,
# and on the audit tables only SELECT and INSERT.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$CONSOLE_DB_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE polar_console LOGIN PASSWORD :'pw';
SQL
