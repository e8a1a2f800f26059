#!/usr/bin/env bash
# Prints how fast a bulk import runs on the release build: ROWS measurements as CSV (default
# 10000) into monthly indicators created by a JSON import first, over HTTP, as a partner sends them.
#
#   scripts/bench-import.sh [ROWS]
#   MERIDIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench scripts/bench-import.sh   # an empty PostgreSQL database
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000}
cargo build --release -q
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
export MERIDIAN_DATABASE_URL=${MERIDIAN_DATABASE_URL:-"sqlite://$dir/bench.db?mode=rwc"}
export MERIDIAN_BIND=127.0.0.1:18089 MERIDIAN_DEMO=off MERIDIAN_WEBHOOK_WORKER=false MERIDIAN_JWT_SECRET=bench-secret-0123456789abcdef
base=http://$MERIDIAN_BIND/api/v1
./target/release/meridian serve >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://$MERIDIAN_BIND/health/ready" >/dev/null && break; sleep 0.1; done
admin=$(./target/release/meridian token issue --role admin --subject bench)
planner=$(./target/release/meridian token issue --role planner --administration BOL --subject bench)
post() { curl -sf -H "Authorization: Bearer $1" -H "Content-Type: ${3:-application/json}" --data-binary @- "$base$2"; }
echo '{"code":"BOL","default_language":"es","name":{"es":"Aduana Nacional"}}' | post "$admin" /administrations >/dev/null || true
plan=$(echo '{"title":{"es":"Plan"},"start_year":2022,"end_year":2026}' | post "$planner" /plans | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
objective=$(echo '{"code":"SO1","title":{"es":"Facilitar"}}' | post "$planner" "/plans/$plan/objectives" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
python3 - "$rows" "$objective" "$dir" <<'PY'
import datetime, json, sys
rows, objective, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
today = datetime.date.today()
months = [f"{y}-{m:02}" for y in range(2022, 2027) for m in range(1, 13) if (y, m) < (today.year, today.month)]
count = -(-rows // len(months))
indicators = [{"external_ref": f"IND-{i}", "objective_id": objective, "name": {"es": f"Indicador {i}"}, "measure": "unit",
               "direction": "increase", "baseline_value": "0", "baseline_period": "2021-12", "frequency": "monthly"} for i in range(count)]
json.dump({"indicators": indicators}, open(f"{out}/indicators.json", "w"))
with open(f"{out}/measurements.csv", "w") as f:
    f.write("indicator_ref,period,value\n")
    n = 0
    for i in range(count):
        for month in months:
            if n == rows:
                break
            f.write(f"IND-{i},{month},{n % 97}.5\n")
            n += 1
PY
timed() { # label, file, content type
  local start end
  start=$(date +%s.%N)
  post "$planner" "/import?atomic=true" "$3" <"$2" >"$dir/answer.json"
  end=$(date +%s.%N)
  python3 - "$1" "$start" "$end" "$dir/answer.json" <<'PY'
import json, sys
label, start, end, answer = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), json.load(open(sys.argv[4]))
rows = sum(c["created"] + c["updated"] + c["unchanged"] for c in answer["summary"].values())
secs = end - start
print(f"{label:<32} {rows:>6} rows  {secs:7.2f} s  {rows / secs:8.0f} rows/s  committed={answer['committed']}")
PY
}
echo "backend: ${MERIDIAN_DATABASE_URL%%:*}"
timed "indicators (JSON)" "$dir/indicators.json" application/json
timed "measurements (CSV), created" "$dir/measurements.csv" text/csv
timed "measurements (CSV), unchanged" "$dir/measurements.csv" text/csv
