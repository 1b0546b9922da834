#!/usr/bin/env bash
# Outage drill (docs/operations.md, "Runbook"): the load test of benchmarks/load_stack.sh runs against its
# own Redis and its own RabbitMQ node (private ports, never the machine's shared services); during the run
# Redis is stopped for OUTAGE_SECONDS and started again, then RabbitMQ. Afterwards it counts, for the orders
# placed during the run, the confirmation e-mails the worker sent (console e-mail backend -> worker log).
#
#   OUTAGE_REDIS_PORT (8470), OUTAGE_RABBIT_PORT (8472), OUTAGE_SECONDS (30), LOAD_DURATION (150), LOAD_OUT;
#   the other LOAD_* knobs of load_stack.sh pass through.
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=${LOAD_OUT:-$(mktemp -d /tmp/skincare-outage.XXXXXX)}
mkdir -p "$OUT/rabbit"
REDIS_PORT=${OUTAGE_REDIS_PORT:-8470}
RABBIT_PORT=${OUTAGE_RABBIT_PORT:-8472}
DOWN=${OUTAGE_SECONDS:-30}
NODE="skincare_outage_${RABBIT_PORT}@localhost"
export LOAD_DURATION=${LOAD_DURATION:-150} LOAD_OUT="$OUT" LOAD_RABBITMQ_NODE="$NODE"
export LOAD_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" LOAD_BROKER_URL="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"
export RABBITMQ_NODENAME="$NODE" RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT=$((RABBIT_PORT + 1)) \
  RABBITMQ_MNESIA_BASE="$OUT/rabbit/mnesia" RABBITMQ_LOG_BASE="$OUT/rabbit/log" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$OUT/rabbit/enabled_plugins" RABBITMQ_PID_FILE="$OUT/rabbit/pid"
echo "[]." >"$OUT/rabbit/enabled_plugins"
# Its own config file: the machine's /etc/rabbitmq/rabbitmq.conf pins the shared node's listener to :5672.
echo "listeners.tcp.local = 127.0.0.1:$RABBIT_PORT" >"$OUT/rabbit/rabbitmq.conf"
export RABBITMQ_CONFIG_FILE="$OUT/rabbit/rabbitmq.conf" RABBITMQ_CONF_ENV_FILE="$OUT/rabbit/rabbitmq-env.conf"
printf '%s\n' "ERL_EPMD_ADDRESS=127.0.0.1" \
  "SERVER_ADDITIONAL_ERL_ARGS=\"-kernel inet_dist_use_interface {127,0,0,1}\"" >"$OUT/rabbit/rabbitmq-env.conf"
# Debian's rabbitmq-server runs the node as the rabbitmq user (and its Erlang cookie) when started by root.
# It must also be able to enter $OUT (mktemp -d makes it 0700).
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then chown -R rabbitmq:rabbitmq "$OUT/rabbit"; chmod o+x "$OUT"; fi

log() { echo "$(date -u +%H:%M:%S) $*" | tee -a "$OUT/drill.log"; }
redis_up() { redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$OUT/redis.pid" --logfile "$OUT/redis.log"; }

# Set before either starts, so a node that fails to start does not leave the private redis-server running.
trap 'rabbitmqctl -q -n "$NODE" stop >/dev/null 2>&1; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1' EXIT
redis_up
rabbitmq-server -detached
for _ in $(seq 60); do rabbitmqctl -q -n "$NODE" status >/dev/null 2>&1 && break; sleep 1; done
rabbitmqctl -q -n "$NODE" await_startup || { echo "private rabbitmq did not start"; exit 1; }
log "private redis :$REDIS_PORT and rabbitmq $NODE :$RABBIT_PORT up"

started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
benchmarks/load_stack.sh "$@" >"$OUT/load.log" 2>&1 &
load_pid=$!
for _ in $(seq 600); do grep -q "^target " "$OUT/load.log" 2>/dev/null && break; sleep 1; done
sleep 20
log "redis: shutdown"; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null
sleep "$DOWN"
redis_up; log "redis: started again"
sleep 20
log "rabbitmq: stop_app"; rabbitmqctl -q -n "$NODE" stop_app
sleep "$DOWN"
rabbitmqctl -q -n "$NODE" start_app; log "rabbitmq: started again"
# What beat does every minute (skincare.outbox_flush), sent at once so the drill need not wait for it.
sleep 5
DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/skincare_load} CELERY_BROKER_URL="$LOAD_BROKER_URL" \
  .venv/bin/celery -A skincare call skincare.outbox_flush >>"$OUT/drill.log" 2>&1
log "outbox flush sent"
wait $load_pid
status=$?
log "load test exit status $status"
cat "$OUT/load.log"

# What the shop sold during the run, and what the worker delivered for it.
orders=$(DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/skincare_load} .venv/bin/python manage.py shell -c "
from shop.orders.models import Order
print(Order.objects.filter(created_at__gte='$started_at').count())
" 2>/dev/null | tail -1)
# The console backend prints each e-mail to the worker's stdout, which Celery logs: with the JSON log format
# (DEBUG=false) the whole e-mail is one log line and its header lines are joined by a literal "\n", so a
# "^Subject:" grep finds none. The subject of a checkout's one e-mail (templates/emails/orders/placed_subject.txt).
subjects=$(grep -oE '(^|\\n)Subject: Order [^ ]+ received' "$OUT/worker.log" | sed 's/.*Subject: Order //')
mails=$(printf '%s' "$subjects" | grep -c . || true)
mail_orders=$(printf '%s' "$subjects" | sort -u | grep -c . || true)
kept=$(grep -c "kept in the outbox" "$OUT/gunicorn.log" || true)
left=$(DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/skincare_load} .venv/bin/python manage.py shell -c "
from skincare.models import DeferredBatch, PendingTask
print(PendingTask.objects.count(), DeferredBatch.objects.count())
" 2>/dev/null | tail -1)
log "tasks kept in the outbox while the broker was down: $kept; still in the outbox: ${left% *}; deferred batches (a checkout's e-mails and notices) not run: ${left#* }"
queued=$(rabbitmqctl -q -n "$NODE" list_queues messages 2>/dev/null | awk 'NR>1 {s+=$1} END {print s+0}')
log "orders placed by the load test: $orders; confirmation e-mails sent by the worker: $mails (for $mail_orders distinct orders); messages still queued: $queued"
exit $status
