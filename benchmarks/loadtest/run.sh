#!/usr/bin/env bash
# Load test: gunicorn (and a Celery worker for the recomputes that edits queue) on 127.0.0.1 only,
# 50 locust users for 60 s, LOADTEST_RUNS (3) times in a row against the same servers. Needs DATABASE_URL
# (PostgreSQL holding generated data, e.g. `manage.py generate_data --scale province`) and REDIS_URL; with
# DATABASE_REPLICA_URL the pages and the API's reads use the replica. Results: var/loadtest-run<N>_stats.csv
# per run, then each figure as min / median / max over the runs (benchmarks/loadtest/summary.py), with
# the load average and the CPU a request cost (benchmarks/loadtest/cpu.py); the exit status is 1 if a
# target was missed in any run.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?set DATABASE_URL to the benchmark database}"
: "${REDIS_URL:?set REDIS_URL (broker for the recomputes edits trigger)}"
PORT="${LOADTEST_PORT:-8765}" USERS="${LOADTEST_USERS:-50}" DURATION="${LOADTEST_DURATION:-60s}"
WORKERS="${LOADTEST_WORKERS:-4}" RUNS="${LOADTEST_RUNS:-3}"
# Local settings with debug off: plain HTTP on loopback (production settings insist on HTTPS cookies).
export DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=false LOG_LEVEL=WARNING
mkdir -p var
.venv/bin/python manage.py migrate --noinput -v 0
# One county per user at most: two editors of one county would PATCH the same tasks, and the
# If-Match conflicts (412) between them would count as errors of the server.
.venv/bin/python manage.py loadtest_fixtures --out var/loadtest.json --counties "$USERS"
# A benchmark run just before leaves the recomputes its saves queued in the outbox (no worker ran then):
# drain them first, so that the timed runs carry only the recomputes their own edits queue.
.venv/bin/python manage.py shell -c "from stats import services; services.pending_drain(triggered_by='loadtest')"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
.venv/bin/gunicorn -c config/gunicorn.py config.wsgi --bind "127.0.0.1:${PORT}" --workers "$WORKERS" --log-level warning \
    --env DJANGO_SETTINGS_MODULE=config.settings.local &
pids+=($!)
.venv/bin/celery -A config worker --concurrency 1 --loglevel WARNING &
pids+=($!)
for _ in $(seq 60); do curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null && break; sleep 1; done
rm -f var/loadtest-load.txt var/loadtest-cpu.txt var/loadtest-run*_stats.csv
cpu() { .venv/bin/python -m benchmarks.loadtest.cpu "${pids[0]}" "${pids[1]}"; }  # gunicorn, the worker
for run in $(seq "$RUNS"); do
  before=$(cut -d' ' -f1 /proc/loadavg) cpu_before=$(cpu)
  echo "run $run of $RUNS: load average before $(cut -d' ' -f1-3 /proc/loadavg)"
  # The load generator shares the machine with the servers: its own CPU is said apart.
  TIMEFORMAT="run $run of $RUNS: the load generator (locust) used %U s user + %S s system CPU"
  time .venv/bin/locust -f benchmarks/loadtest/locustfile.py --headless --users "$USERS" --spawn-rate 10 \
      --run-time "$DURATION" --host "http://127.0.0.1:${PORT}" --csv "var/loadtest-run$run" --only-summary ||
      true  # locust exits 1 on any failed request: the summary below counts them in every run
  echo "run $run of $RUNS: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$before $(cut -d' ' -f1 /proc/loadavg)" >>var/loadtest-load.txt
  echo "$cpu_before $(cpu)" >>var/loadtest-cpu.txt
done
.venv/bin/python -m benchmarks.loadtest.summary "$USERS" $(for run in $(seq "$RUNS"); do echo "var/loadtest-run${run}_stats.csv"; done)
