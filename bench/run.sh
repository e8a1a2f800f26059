#!/usr/bin/env bash
# Side-by-side benchmarks of Meridian on the seeded PostgreSQL databases (bench/seed.sh first).
# Loopback only; each measurement lasts BENCH_DURATION seconds (default 15) after a short warm-up;
# every process started here is stopped on exit. Results: bench/out/results.md (appended).
#
#   bench/run.sh                 # every comparison (about 9 minutes)
#   bench/run.sh portal plan     # some of: portal plan plans import scale
source "$(dirname "$0")/lib.sh"

ensure_tools
build_meridian
for db in "$DB_LARGE" "$DB_SMALL" "$DB_SHORT"; do
    db_exists "$db" || { echo "database $db is missing: run bench/seed.sh first" >&2; exit 1; }
done

MERIDIAN_URL=http://127.0.0.1:$MERIDIAN_PORT

environment() {
    {
        echo
        echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC') on $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD || echo ' (with uncommitted changes)')"
        echo
        echo "- machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -h | awk '/^Mem:/ {print $2}') memory"
        echo "- $(psql -d postgres -Atc 'SELECT version()' | cut -d, -f1); Meridian pool and PostGraphile pool: $POOL connections"
        echo "- each run: ${WARMUP}s warm-up, then ${DURATION}s measured; ${ROUNDS} rounds, sides interleaved; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "- load generator: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2) (2 threads) on the same 2 cores; pgbench -M prepared"
    } | tee -a "$TABLE"
}

check_graphql() { # url body-file auth what
    curl -s -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} --data-binary @"$2" "$1" >"$OUT/answer.json"
    python3 - "$4" "$OUT/answer.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[2]))
if d.get("errors"):
    sys.exit(f"{sys.argv[1]}: {d['errors']}")
root = next(iter(d["data"].values()))
edges = root["edges"]
indicators = sum(len(o.get("indicators") or o.get("indicatorsByObjectiveId", {}).get("nodes", [])) for e in edges
                 for o in (e["node"].get("objectives") or e["node"].get("objectivesByPlanId", {}).get("nodes", [])))
print(f"{sys.argv[1]}: {len(edges)} plans, {indicators} indicators, {len(json.dumps(d))} bytes", file=sys.stderr)
PY
}

# 1 ------------------------------------------------------------------------------------------
# portal: Meridian as it runs (plan results reused while nothing changes); portal-cold: Meridian
# with MERIDIAN_RESULTS_CACHE=off, computing every answer from the database, as after each write.
portal() {
    local donor what="plan results reused while unchanged"
    [ "${RESULTS_CACHE:-on}" = off ] && what="MERIDIAN_RESULTS_CACHE=off: every answer computed"
    start_meridian "$DB_LARGE"
    start_postgraphile "$DB_LARGE"
    donor=$(token donor --donor SECO)
    graphql_body "$BENCH_DIR/queries/portal-meridian.graphql" "$OUT/portal-meridian.json"
    graphql_body "$BENCH_DIR/queries/portal-postgraphile.graphql" "$OUT/portal-postgraphile.json"
    check_graphql "$MERIDIAN_URL/graphql" "$OUT/portal-meridian.json" "$donor" Meridian
    check_graphql "http://127.0.0.1:$PG5_PORT/graphql" "$OUT/portal-postgraphile.json" "" "PostGraphile 5"
    header "1. Portal query as a donor, first: 10 — Meridian ($what) vs PostGraphile 5 ($DB_LARGE, ${SLOW_DURATION}s a run)"
    local round c m DURATION=$SLOW_DURATION
    for round in $(seq 1 "$ROUNDS"); do
        for c in 1 16 64; do
            BODY_FILE=$OUT/portal-meridian.json AUTH=$donor MEASURED_PID=$MERIDIAN_PID wrk_run "Meridian /graphql (round $round)" "$c" "$MERIDIAN_URL/graphql" "$BENCH_DIR/post.lua"
            m=$LAST_RPS
            BODY_FILE=$OUT/portal-postgraphile.json AUTH= MEASURED_PID=$PG5_PID wrk_run "PostGraphile 5 (round $round)" "$c" "http://127.0.0.1:$PG5_PORT/graphql" "$BENCH_DIR/post.lua"
            ratio_line "round $round, $c connections, Meridian req/s ÷ PostGraphile req/s" "$m" "$LAST_RPS"
        done
    done
    stop_pid "$PG5_PID"
    stop_pid "$MERIDIAN_PID"
}

portal-cold() {
    RESULTS_CACHE=off portal
}

# Captures the SQL statements Meridian sends for one GET, as a pgbench script.
capture() { # db path out-file
    local offset admin
    psql -q -d postgres -c "ALTER DATABASE $1 SET log_statement = 'all'"
    start_meridian "$1"
    admin=$(token admin)
    curl -sf -o /dev/null -H "Authorization: Bearer $admin" "$MERIDIAN_URL$2"
    sleep 0.5
    offset=$(stat -c %s "$PG_LOG")
    curl -sf -o /dev/null -H "Authorization: Bearer $admin" "$MERIDIAN_URL$2"
    sleep 1
    python3 "$BENCH_DIR/capture_sql.py" "$PG_LOG" "$offset" "$1" >"$3"
    stop_pid "$MERIDIAN_PID"
    psql -q -d postgres -c "ALTER DATABASE $1 RESET log_statement"
    psql -q -d "$1" -f "$3" >/dev/null # the script runs as it is
}

first_plan() {
    local admin
    admin=$(token admin)
    curl -sf -H "Authorization: Bearer $admin" "$MERIDIAN_URL/api/v1/plans?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])'
}

# 2 ------------------------------------------------------------------------------------------
plan() {
    local id admin round m
    start_meridian "$DB_LARGE"
    id=$(first_plan)
    stop_pid "$MERIDIAN_PID"
    capture "$DB_LARGE" "/api/v1/plans/$id" "$OUT/plan.sql"
    start_meridian "$DB_LARGE"
    admin=$(token admin)
    header "2. GET /api/v1/plans/{id} (admin) — Meridian vs pgbench replaying its $(wc -l <"$OUT/plan.sql") statements ($DB_LARGE)"
    for round in $(seq 1 "$ROUNDS"); do
        AUTH=$admin MEASURED_PID=$MERIDIAN_PID wrk_run "Meridian GET /plans/{id} (round $round)" 10 "$MERIDIAN_URL/api/v1/plans/$id"
        m=$LAST_RPS
        pgbench_run "pgbench, same statements (round $round)" 10 "$OUT/plan.sql" "$DB_LARGE"
        ratio_line "round $round, Meridian req/s ÷ pgbench tx/s" "$m" "$LAST_RPS"
    done
    stop_pid "$MERIDIAN_PID"
}

# 3 ------------------------------------------------------------------------------------------
plans() {
    local admin round c m
    capture "$DB_LARGE" "/api/v1/plans?limit=100" "$OUT/plans.sql"
    start_meridian "$DB_LARGE"
    admin=$(token admin)
    header "3. GET /api/v1/plans?limit=100 (admin) — Meridian vs pgbench replaying its $(wc -l <"$OUT/plans.sql") statements ($DB_LARGE)"
    for round in $(seq 1 "$ROUNDS"); do
        for c in 10 1; do
            AUTH=$admin MEASURED_PID=$MERIDIAN_PID wrk_run "Meridian GET /plans?limit=100 (round $round)" "$c" "$MERIDIAN_URL/api/v1/plans?limit=100"
            m=$LAST_RPS
            pgbench_run "pgbench, same statements (round $round)" "$c" "$OUT/plans.sql" "$DB_LARGE"
            ratio_line "round $round, $c connection(s), Meridian req/s ÷ pgbench tx/s" "$m" "$LAST_RPS"
        done
    done
    stop_pid "$MERIDIAN_PID"
}

# 4 ------------------------------------------------------------------------------------------
import() {
    local planner plan_id objective
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB_IMPORT WITH (FORCE)" -c "CREATE DATABASE $DB_IMPORT TEMPLATE $DB_SHORT"
    start_meridian "$DB_IMPORT"
    planner=$(token planner --administration ABW)
    plan_id=$(curl -sf -H "Authorization: Bearer $planner" "$MERIDIAN_URL/api/v1/plans?administration=ABW" | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
    objective=$(curl -sf -H "Authorization: Bearer $planner" "$MERIDIAN_URL/api/v1/plans/$plan_id/objectives" | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
    # 200 new monthly indicators (baseline 2017-12): 100 for Meridian, 100 for psql, then
    # 10,000 measurements each: 100 indicators × 100 months (2018-01 .. 2026-04), none existing.
    python3 - "$objective" "$OUT" <<'PY'
import json, sys
objective, out = sys.argv[1], sys.argv[2]
indicators = [{"external_ref": f"BENCH-{side}-{i}", "objective_id": objective, "name": {"en": f"Imported indicator {side}{i}"},
               "measure": "unit", "direction": "increase", "baseline_value": "0", "baseline_period": "2017-12", "frequency": "monthly"}
              for side in "MP" for i in range(100)]
json.dump({"indicators": indicators}, open(f"{out}/import-indicators.json", "w"))
months = [f"{y}-{m:02}" for y in range(2018, 2027) for m in range(1, 13)][:100]
with open(f"{out}/import-measurements.csv", "w") as f:
    f.write("indicator_ref,period,value\n")
    for i in range(100):
        for n, month in enumerate(months):
            f.write(f"BENCH-M-{i},{month},{(i * 100 + n) % 997}.5\n")
PY
    curl -sf -H "Authorization: Bearer $planner" -H 'Content-Type: application/json' --data-binary @"$OUT/import-indicators.json" "$MERIDIAN_URL/api/v1/import" >/dev/null
    psql -d "$DB_IMPORT" -Atc "SELECT id || ',' || external_ref FROM indicators WHERE external_ref LIKE 'BENCH-P-%'" >"$OUT/import-psql-indicators.csv"
    python3 - "$OUT" <<'PY'
import sys
out = sys.argv[1]
ids = dict(reversed(line.strip().split(",")) for line in open(f"{out}/import-psql-indicators.csv") if line.strip())
months = [(y, m) for y in range(2018, 2027) for m in range(1, 13)][:100]
rows = []
for i in range(100):
    for n, (y, m) in enumerate(months):
        key = ((y * 12 + m - 1) * 2 + 1) * 4 + 2  # Period::sort_key of a month
        rows.append(f"(gen_random_uuid(), '{ids[f'BENCH-P-{i}']}', 'ABW', '{y}-{m:02}', {key}, {(i * 100 + n) % 997}.5, 'draft', 'bench', 1, now(), now())")
with open(f"{out}/import-psql.sql", "w") as f:
    f.write("BEGIN;\nINSERT INTO measurements (id, indicator_id, administration_code, period, period_key, value, status, recorded_by, version, created_at, updated_at) VALUES\n")
    f.write(",\n".join(rows))
    f.write(";\nCOMMIT;\n")
PY
    import_compare "4. Bulk import of 10,000 new CSV measurements — Meridian POST /api/v1/import vs psql, one multi-row INSERT in one transaction ($DB_IMPORT, a copy of $DB_SHORT)" \
        "$planner" text/csv "$OUT/import-measurements.csv" measurements "$OUT/import-psql.sql" \
        "SELECT count(*) FROM measurements m JOIN indicators i ON i.id = m.indicator_id WHERE i.external_ref LIKE 'BENCH-P-%'" \
        "psql, one INSERT of 10,000 rows"
    import_json "$planner"
    stop_pid "$MERIDIAN_PID"
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB_IMPORT WITH (FORCE)"
}

# 10,000 objectives + indicators (JSON) into a new plan: 100 objectives with 9 children each
# (named by parent_ref), 9,000 indicators under them by objective_ref; psql inserts the same rows
# into another new plan with two multi-row INSERTs in one transaction.
import_json() { # planner-token
    local planner=$1 m_plan p_plan
    new_plan() { curl -sf -H "Authorization: Bearer $planner" -H 'Content-Type: application/json' \
        -d "{\"title\": {\"en\": \"Import bench $1\"}, \"start_year\": 2025, \"end_year\": 2030}" "$MERIDIAN_URL/api/v1/plans" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
    m_plan=$(new_plan meridian)
    p_plan=$(new_plan psql)
    python3 - "$m_plan" "$p_plan" "$OUT" <<'PY'
import json, sys, uuid
m_plan, p_plan, out = sys.argv[1:4]
objectives, indicators, tree = [], [], []
for p in range(100):
    tree.append((f"OBJ-{p}", None, f"SO{p + 1}"))
    tree += [(f"OBJ-{p}.{c}", f"OBJ-{p}", f"SO{p + 1}.{c + 1}") for c in range(9)]
leaves = [r for r, parent, _ in tree if parent]
for ref, parent, code in tree:
    row = {"external_ref": ref, "plan_id": m_plan, "code": code, "title": {"en": f"Objective {code}"}}
    if parent:
        row["parent_ref"] = parent
    objectives.append(row)
for n in range(9000):
    indicators.append({"external_ref": f"IND-{n}", "objective_ref": leaves[n % len(leaves)], "name": {"en": f"Indicator {n}"}, "measure": "unit",
                       "direction": "increase", "baseline_value": "0", "baseline_period": "2024", "frequency": "annual"})
json.dump({"objectives": objectives, "indicators": indicators}, open(f"{out}/import-tree.json", "w"))
ids = {ref: str(uuid.uuid4()) for ref, _, _ in tree}
def objective_row(ref, parent, code):
    parent_id = f"'{ids[parent]}'" if parent else "NULL"
    title = json.dumps({"en": f"Objective {code}"})
    return f"('{ids[ref]}', '{p_plan}', 'ABW', {parent_id}, '{code}', '{title}', 'outcome', 1, 'P-{ref}', 1, now(), now())"
def indicator_row(n):
    name = json.dumps({"en": f"Indicator {n}"})
    objective = ids[leaves[n % len(leaves)]]
    return f"('{uuid.uuid4()}', '{objective}', '{p_plan}', 'ABW', '{name}', 'unit', 'increase', 0, '2024', 'annual', 1, 'programme', 'P-IND-{n}', 1, now(), now())"
o_rows = [objective_row(*row) for row in tree]
i_rows = [indicator_row(n) for n in range(9000)]
with open(f"{out}/import-tree.sql", "w") as f:
    f.write("BEGIN;\nINSERT INTO objectives (id, plan_id, administration_code, parent_id, code, title, level, weight, external_ref, version, created_at, updated_at) VALUES\n")
    f.write(",\n".join(o_rows))
    f.write(";\nINSERT INTO indicators (id, objective_id, plan_id, administration_code, name, measure, direction, baseline_value, baseline_period, frequency, weight, disclosure, external_ref, version, created_at, updated_at) VALUES\n")
    f.write(",\n".join(i_rows))
    f.write(";\nCOMMIT;\n")
PY
    import_compare "4b. Bulk import of 1,000 objectives + 9,000 indicators (JSON) — Meridian POST /api/v1/import vs psql, two multi-row INSERTs in one transaction ($DB_IMPORT)" \
        "$planner" application/json "$OUT/import-tree.json" objectives,indicators "$OUT/import-tree.sql" \
        "SELECT (SELECT count(*) FROM objectives WHERE plan_id = '$p_plan') + (SELECT count(*) FROM indicators WHERE plan_id = '$p_plan')" \
        "psql, two INSERTs of 1,000 + 9,000 rows"
}

# import_compare TITLE PLANNER CONTENT-TYPE BODY SECTIONS PSQL-FILE PSQL-COUNT-SQL PSQL-LABEL: times
# Meridian importing BODY (rows created in SECTIONS, comma-separated) against psql running
# PSQL-FILE (rows counted by PSQL-COUNT-SQL), prints both rows and the ratio.
import_compare() {
    local title=$1 planner=$2 type=$3 body=$4 sections=$5 sql=$6 count_sql=$7 label=$8
    local start end answer rss hwm cpu load m_rows m_secs p_rows p_secs kind=JSON
    [ "$type" = text/csv ] && kind=CSV
    {
        echo
        echo "### $title"
        echo
        echo "| run | rows | seconds | rows/s | server RSS peak MB (sampled) | VmHWM MB | CPU busy (2 cores) | load 1 min |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    } | tee -a "$TABLE"
    start_probes "$MERIDIAN_PID"
    start=$(date +%s.%N)
    answer=$(curl -s -H "Authorization: Bearer $planner" -H "Content-Type: $type" --data-binary @"$body" "$MERIDIAN_URL/api/v1/import?mode=commit&atomic=true")
    end=$(date +%s.%N)
    read -r rss hwm cpu load <<<"$(stop_probes)"
    m_rows=$(python3 -c 'import json, sys; s = json.loads(sys.argv[1])["summary"]; print(sum(s[k]["created"] for k in sys.argv[2].split(",")))' "$answer" "$sections")
    m_secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
    printf '| Meridian POST /import (%s, atomic) | %s | %s | %.0f | %.0f | %.0f | %s%% | %s |\n' "$kind" "$m_rows" "$m_secs" "$(awk -v r="$m_rows" -v s="$m_secs" 'BEGIN {print r / s}')" \
        "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$(awk -v k="$hwm" 'BEGIN {print k / 1024}')" "$cpu" "$load" | tee -a "$TABLE"
    start_probes ""
    start=$(date +%s.%N)
    psql -q -v ON_ERROR_STOP=1 -d "$DB_IMPORT" -f "$sql" >/dev/null
    end=$(date +%s.%N)
    read -r rss hwm cpu load <<<"$(stop_probes)"
    p_rows=$(psql -d "$DB_IMPORT" -Atc "$count_sql")
    p_secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
    printf '| %s | %s | %s | %.0f | - | - | %s%% | %s |\n' "$label" "$p_rows" "$p_secs" "$(awk -v r="$p_rows" -v s="$p_secs" 'BEGIN {print r / s}')" "$cpu" "$load" | tee -a "$TABLE"
    ratio_line "Meridian seconds ÷ psql seconds" "$m_secs" "$p_secs"
}

# 5 ------------------------------------------------------------------------------------------
scale() {
    local round db donor DURATION=$SLOW_DURATION
    declare -A p99
    graphql_body "$BENCH_DIR/queries/portal-meridian.graphql" "$OUT/portal-meridian.json"
    # Without the results cache: how the cost of computing an answer grows with the data.
    local RESULTS_CACHE=off
    header "5. Portal query as a donor, first: 10, one request at a time, MERIDIAN_RESULTS_CACHE=off — by data set: $DB_SMALL (20 administrations), $DB_LARGE (200), $DB_SHORT (200, 18 months); ${SLOW_DURATION}s a run"
    for round in $(seq 1 "$ROUNDS"); do
        for db in "$DB_SMALL" "$DB_LARGE" "$DB_SHORT"; do
            start_meridian "$db"
            donor=$(token donor --donor SECO)
            BODY_FILE=$OUT/portal-meridian.json AUTH=$donor MEASURED_PID=$MERIDIAN_PID wrk_run "Meridian, $db (round $round)" 1 "$MERIDIAN_URL/graphql" "$BENCH_DIR/post.lua"
            p99[$db]=$LAST_P99
            stop_pid "$MERIDIAN_PID"
        done
        ratio_line "round $round, p99 large ÷ p99 small (10x administrations)" "${p99[$DB_LARGE]}" "${p99[$DB_SMALL]}"
        ratio_line "round $round, p99 full history ÷ p99 18 months (10x history)" "${p99[$DB_LARGE]}" "${p99[$DB_SHORT]}"
    done
}

comparisons=("$@")
[ ${#comparisons[@]} -eq 0 ] && comparisons=(portal portal-cold plan plans import scale)
environment
for c in "${comparisons[@]}"; do
    case $c in
        portal | portal-cold | plan | plans | import | scale) log "comparison: $c"; "$c" ;;
        *) echo "unknown comparison $c (portal portal-cold plan plans import scale)" >&2; exit 2 ;;
    esac
done
log "results appended to $TABLE"
