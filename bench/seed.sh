#!/usr/bin/env bash
# Creates and seeds the bench databases on the local PostgreSQL (127.0.0.1:5432), then installs
# the bench-only schema PostGraphile reads. Safe to run again: `meridian seed --scale` keeps what
# an earlier run wrote, so a second run only checks.
#
#   bench/seed.sh            # the three databases
#   bench/seed.sh large      # one of: large small short
source "$(dirname "$0")/lib.sh"

build_meridian

seed_db() { # db, seed arguments...
    local db=$1
    shift
    db_exists "$db" || createdb "$db"
    log "seeding $db: meridian seed $*"
    MERIDIAN_DATABASE_URL=$(db_url "$db") MERIDIAN_LOG=warn "$MERIDIAN" seed "$@" | tee "$OUT/seed-$db.log"
    psql -q -d "$db" -c 'VACUUM (ANALYZE)'
    psql -q -d "$db" -v ON_ERROR_STOP=1 -f "$BENCH_DIR/postgraphile/schema.sql" 2>&1 | grep -v 'does not exist, skipping' || true
    psql -d "$db" -Atc "SELECT 'rows: ' || (SELECT count(*) FROM plans) || ' plans, ' || (SELECT count(*) FROM indicators) || ' indicators, ' || (SELECT count(*) FROM measurements) || ' measurements, ' || pg_size_pretty(pg_database_size(current_database()))"
}

targets=("${@:-large small short}")
for t in ${targets[*]}; do
    case $t in
        large) seed_db "$DB_LARGE" --scale 200 ;;
        small) seed_db "$DB_SMALL" --scale 20 ;;
        short) seed_db "$DB_SHORT" --scale 200 --history-months 18 ;;
        *) echo "unknown data set $t (large, small, short)" >&2; exit 2 ;;
    esac
done
