#!/usr/bin/env bash
# The compose deploy tried for real where no image registry is reachable (docs/operations.md, "Deploy with the
# compose file"): docker-compose.yml and the Dockerfile as shipped, on stand-in images of Debian's PostgreSQL 15,
# Redis 7, RabbitMQ 3 and Python 3.11 (standins/, built on a debootstrapped Debian bookworm), then the Locust mix
# of benchmarks/load.py with RabbitMQ and then Redis stopped for OUTAGE seconds each. It prints what the shop
# answered in each phase (from the web container's request log), and whether every order placed got its e-mail
# once the broker was back.
#
#   tools/compose_trial/run.sh            # needs root, docker.io, docker-compose and debootstrap (Debian's)
#
# Knobs: TRIAL_DIR (/tmp/skincare-compose-trial), SCALE (demo data, 0.2), USERS (10), DURATION (150 s of load),
# RABBIT_DOWN_AT (20), REDIS_DOWN_AT (80), OUTAGE (30), HOLD (SERVICE_DOWN_HOLD_SECONDS, .env.example's unless set),
# KEEP=1 leaves the stack running. The stand-ins are tagged postgres:15, redis:7, rabbitmq:3 and python:3.11-slim
# only where no image of that name exists, so a machine with the real images uses those.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TRIAL_DIR=${TRIAL_DIR:-/tmp/skincare-compose-trial}
SCALE=${SCALE:-0.2} USERS=${USERS:-10} DURATION=${DURATION:-150}
RABBIT_DOWN_AT=${RABBIT_DOWN_AT:-20} REDIS_DOWN_AT=${REDIS_DOWN_AT:-80} OUTAGE=${OUTAGE:-30}
PY="$ROOT/.venv/bin/python"
log() { echo "$(date -u +%H:%M:%S) $*"; }

# --- docker daemon (no iptables: the host's firewall is left alone; containers reach each other on their bridge)
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd --iptables=false"
  setsid dockerd --iptables=false --ip6tables=false >"/tmp/skincare-dockerd.log" 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
docker info --format 'dockerd {{.ServerVersion}}, storage {{.Driver}}'

# --- stand-in images
if ! docker image inspect standin/bookworm:local >/dev/null 2>&1; then
  log "debootstrap Debian bookworm (minbase) into an image"
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  tar -C "$rootfs" -c . | docker import - standin/bookworm:local >/dev/null
  rm -rf "$rootfs"
fi
cp /etc/ssl/certs/ca-certificates.crt "$HERE/standins/python/ca-certificates.crt"  # PyPI through this host's proxy
trap 'rm -f "$HERE/standins/python/ca-certificates.crt"' EXIT
for image in python:3.11-slim postgres:15 redis:7 rabbitmq:3; do
  name=${image%%:*}
  log "stand-in $image"
  docker build -q --network host -t "standin/$image" "$HERE/standins/$name" >"$TRIAL_DIR.build-$name.log" 2>&1 ||
    { cat "$TRIAL_DIR.build-$name.log"; exit 1; }
  if ! docker image inspect "$image" >/dev/null 2>&1 ||
    [ "$(docker image inspect -f '{{index .Config.Labels "skincare.standin"}}' "$image")" = yes ]; then
    docker tag "standin/$image" "$image"
  else
    log "  $image exists and is not a stand-in: kept"
  fi
done

# --- the project as committed, with .env from .env.example as docs/operations.md says
rm -rf "$TRIAL_DIR"
git clone -q "$ROOT" "$TRIAL_DIR/src"
cd "$TRIAL_DIR/src"
cp .env.example .env
key=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
sed -i -e "s|^SECRET_KEY=.*|SECRET_KEY=$key|" -e "s|^ALLOWED_HOSTS=.*|ALLOWED_HOSTS=localhost,127.0.0.1|" \
  -e "s|^SECURE_SSL_REDIRECT=.*|SECURE_SSL_REDIRECT=false|" \
  -e "s|^EMAIL_BACKEND=.*|EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend|" \
  -e "s|^METRICS_TOKEN=.*|METRICS_TOKEN=trial-$key|" .env
# Every simulated shopper comes from the docker bridge's one address: the per-client throttles are lifted.
sed -i -E "s#^(THROTTLE_(ANON|USER|AUTH|ANALYTICS))=.*#\1=1000000/min#" .env
[ -n "${HOLD:-}" ] && sed -i "s|^SERVICE_DOWN_HOLD_SECONDS=.*|SERVICE_DOWN_HOLD_SECONDS=$HOLD|" .env
grep -E '^(SERVICE_DOWN_HOLD_SECONDS|DEFERRED_DRAIN_SECONDS|HEALTH_HEARTBEAT_SECONDS)=' .env
C=(docker-compose -p skincaretrial -f docker-compose.yml -f "$HERE/override.yml")
"${C[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -f "$HERE/standins/python/ca-certificates.crt"; "${C[@]}" down -v >/dev/null 2>&1' EXIT; fi

log "docker-compose build"
"${C[@]}" build >"$TRIAL_DIR/build.log" 2>&1 || { tail -30 "$TRIAL_DIR/build.log"; exit 1; }
log "docker-compose up -d"
"${C[@]}" up -d 2>&1 | sed 's/^/  /'
for _ in $(seq 90); do
  [ "$(docker inspect -f '{{.State.Health.Status}}' skincaretrial_web_1 2>/dev/null)" = healthy ] && break
  sleep 2
done
"${C[@]}" ps
log "migrate exited $(docker inspect -f '{{.State.ExitCode}}' skincaretrial_migrate_1); web $(docker inspect -f '{{.State.Health.Status}}' skincaretrial_web_1)"
log "seed_demo --scale $SCALE"
"${C[@]}" exec -T web python manage.py seed_demo --scale "$SCALE" | tail -1
for _ in $(seq 60); do  # beat's and the worker's heartbeats (HEALTH_HEARTBEAT_SECONDS)
  curl -s http://127.0.0.1:8000/health/ready | grep -q '"worker": {"status": "ok"' && break
  sleep 2
done
curl -s http://127.0.0.1:8000/health/ready; echo

# --- load, with the broker and then the cache taken away and given back
started=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
phases="$TRIAL_DIR/phases.csv"
echo "event,at" >"$phases"
mark() { echo "$1,$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" >>"$phases"; log "$1"; }
mark load_start
(
  sleep "$RABBIT_DOWN_AT"; mark rabbitmq_stop; "${C[@]}" stop rabbitmq >/dev/null 2>&1; mark rabbitmq_stopped
  sleep "$OUTAGE"; mark rabbitmq_start; "${C[@]}" start rabbitmq >/dev/null 2>&1; mark rabbitmq_started
  sleep $((REDIS_DOWN_AT - RABBIT_DOWN_AT - OUTAGE)); mark redis_stop; "${C[@]}" stop redis >/dev/null 2>&1
  mark redis_stopped; sleep "$OUTAGE"; mark redis_start; "${C[@]}" start redis >/dev/null 2>&1; mark redis_started
) &
outages=$!
set +e
"$PY" "$ROOT/benchmarks/load.py" --host http://127.0.0.1:8000 --users "$USERS" --duration "$DURATION" \
  --json "$TRIAL_DIR/load.json" >"$TRIAL_DIR/load.log" 2>&1
load_status=$?
set -e
wait $outages
mark load_end
sed -n '/^endpoint/,$p' "$TRIAL_DIR/load.log"

# --- what was sold, and what reached the shopper once the broker was back (beat flushes the outbox every minute)
count() {
  "${C[@]}" exec -T web python manage.py shell -v 0 -c "
from shop.orders.models import Order
from skincare.models import DeferredBatch, PendingTask
print(Order.objects.filter(created_at__gte='$started').count(), PendingTask.objects.count(), DeferredBatch.objects.count())
" 2>/dev/null | tail -1
}
for _ in $(seq 40); do
  read -r orders pending deferred <<<"$(count)"
  queued=$(docker exec skincaretrial_rabbitmq_1 rabbitmqctl -q list_queues messages 2>/dev/null | awk 'NR>1 {s+=$1} END {print s+0}')
  [ "$pending" = 0 ] && [ "$deferred" = 0 ] && [ "$queued" = 0 ] && break
  sleep 5
done
sleep 5
docker logs skincaretrial_web_1 >"$TRIAL_DIR/web.log" 2>&1
docker logs skincaretrial_worker_1 >"$TRIAL_DIR/worker.log" 2>&1
"${C[@]}" exec -T web python manage.py shell -v 0 -c "
from shop.orders.models import Order
print('\n'.join(Order.objects.filter(created_at__gte='$started').values_list('order_number', flat=True)))
" 2>/dev/null >"$TRIAL_DIR/orders.txt"
log "outbox rows left $pending, deferred batches left $deferred, messages queued $queued"
"$PY" "$HERE/report.py" --phases "$phases" --web "$TRIAL_DIR/web.log" --worker "$TRIAL_DIR/worker.log" \
  --orders "$TRIAL_DIR/orders.txt"
report_status=$?
log "load.py exit $load_status (1 = some request failed); files in $TRIAL_DIR"
[ "$load_status" = 0 ] && [ "$report_status" = 0 ] && [ "$pending" = 0 ] && [ "$deferred" = 0 ] && [ "$queued" = 0 ]
