#!/usr/bin/env bash
# `make load`: the production stack on this machine, loaded by benchmarks/load.py (docs/performance.md).
#   gunicorn (DEBUG=false) on PostgreSQL + Redis, one Celery worker over RabbitMQ (its own vhost), demo data.
# Knobs (environment): LOAD_DATABASE_URL (a seeded PostgreSQL database; default skincare_load, seeded at
# LOAD_SCALE when empty), LOAD_REDIS_URL, LOAD_BROKER_URL (default amqp://guest:guest@127.0.0.1:5672/skincare_load,
# the vhost is created when rabbitmqctl is there), LOAD_PORT (8460), LOAD_WEB_WORKERS (3), LOAD_USERS (20),
# LOAD_DURATION (120), LOAD_OUT (results folder). Extra arguments go to benchmarks/load.py.
# Everything listens on and is sent to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PORT=${LOAD_PORT:-8460}
OUT=${LOAD_OUT:-$(mktemp -d /tmp/skincare-load.XXXXXX)}
mkdir -p "$OUT"
BROKER=${LOAD_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672/skincare_load}
vhost=${BROKER##*/}
vhost=${vhost:-/}
rmqctl() { rabbitmqctl -q ${LOAD_RABBITMQ_NODE:+-n "$LOAD_RABBITMQ_NODE"} "$@"; }
if command -v rabbitmqctl >/dev/null 2>&1 && [ "$vhost" != / ]; then
  rmqctl add_vhost "$vhost" 2>/dev/null || true
  rmqctl set_permissions -p "$vhost" guest ".*" ".*" ".*" >/dev/null
fi

export DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/skincare_load} \
  REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/13} CELERY_BROKER_URL="$BROKER" \
  CACHE_KEY_PREFIX=load MEDIA_ROOT="${LOAD_MEDIA_ROOT:-$OUT/media}" PRIVATE_MEDIA_ROOT="${LOAD_MEDIA_ROOT:-$OUT/media}/private" \
  STATIC_ROOT="$OUT/static" DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost \
  SECRET_KEY="${SECRET_KEY:-load-$(date +%s%N)-not-a-deployment-key-0123456789abcdef}" DB_CONN_MAX_AGE=60 \
  THROTTLE_ANON=1000000/min THROTTLE_USER=1000000/min THROTTLE_AUTH=1000000/min THROTTLE_ANALYTICS=1000000/min \
  LOGIN_FAILURE_LIMIT=1000000 \
  JWT_ACCESS_MINUTES=120 LOG_LEVEL=WARNING \
  EMAIL_BACKEND=${LOAD_EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}  # the worker's log shows each e-mail

if [ "$("$PY" manage.py shell -c 'from shop.catalog.models import Product; print(Product.objects.exists())' 2>/dev/null | tail -1)" != True ]; then
  echo "== seeding demo data at scale ${LOAD_SCALE:-1}"
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py seed_demo --scale "${LOAD_SCALE:-1}"
fi
"$PY" manage.py collectstatic --noinput -v0

echo "== celery worker (log: $OUT/worker.log) and gunicorn on 127.0.0.1:$PORT (log: $OUT/gunicorn.log)"
.venv/bin/celery -A skincare worker -l warning -c 1 --without-gossip --without-mingle -n "load@%h" \
  >"$OUT/worker.log" 2>&1 &
worker_pid=$!
.venv/bin/gunicorn skincare.wsgi:application --bind "127.0.0.1:$PORT" --workers "${LOAD_WEB_WORKERS:-3}" \
  --timeout 60 >"$OUT/gunicorn.log" 2>&1 &
web_pid=$!
trap 'kill $web_pid $worker_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break; sleep 0.5; done

status=0
"$PY" benchmarks/load.py --host "http://127.0.0.1:$PORT" --users "${LOAD_USERS:-20}" \
  --duration "${LOAD_DURATION:-120}" --json "$OUT/load.json" --timeline "$OUT/timeline.csv" "$@" || status=$?
if command -v rabbitmqctl >/dev/null 2>&1; then
  # The worker finishes what the run queued before it is stopped (up to LOAD_DRAIN_SECONDS).
  waited=0
  while :; do
    left=$(rmqctl list_queues -p "$vhost" messages 2>/dev/null | awk 'NR>1 {s+=$1} END {print s+0}')
    [ "$left" = 0 ] || [ "$waited" -ge "${LOAD_DRAIN_SECONDS:-300}" ] && break
    sleep 5; waited=$((waited + 5))
  done
  echo "== tasks left in the broker after the run: $left (waited ${waited} s for the worker to drain the queue)"
fi
echo "== tracebacks in the logs: $(grep -c Traceback "$OUT/gunicorn.log" "$OUT/worker.log" | tr '\n' ' ')"
echo "== results in $OUT"
exit $status
