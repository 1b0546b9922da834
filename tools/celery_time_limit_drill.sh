#!/usr/bin/env bash
# Celery time limits firing in a real prefork worker over RabbitMQ (docs/operations.md, "A stuck task").
#
#   DATABASE_URL=postgres://... CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672/<own vhost> \
#     tools/celery_time_limit_drill.sh
#
# Use a vhost (or broker) of your own: the worker consumes the default queue of that vhost. It starts a
# silent SMTP server (accepts, never answers) and one worker (-P prefork -c 1) with a 3 s soft and 8 s
# hard limit (CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT), then sends three tasks:
#   1. skincare.send_templated_email to the silent SMTP server (EMAIL_TIMEOUT 30 s, so the soft limit
#      fires first): SoftTimeLimitExceeded inside the socket read, the task fails, a FailedTask row;
#   2. drill.ignores_soft_limit (tools/drill_tasks.py): swallows the soft limit, killed at the hard one,
#      the pool process replaced, a FailedTask row with TimeLimitExceeded;
#   3. drill.stops_at_soft_limit: returns what it finished when the soft limit fires (succeeds).
# It prints the worker's lines about them, the FailedTask rows the run added and, when DRILL_BASE_URL
# points at a server on the same database, the staff failures endpoint as the demo admin sees it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL}" "${CELERY_BROKER_URL:?set CELERY_BROKER_URL to a vhost of your own}"
SMTP_PORT=${DRILL_SMTP_PORT:-8474}
out=${DRILL_OUT:-$(mktemp -d)}
mkdir -p "$out"
export CELERY_TASK_ALWAYS_EAGER=false CELERY_TASK_SOFT_TIME_LIMIT=${DRILL_SOFT:-3} CELERY_TASK_TIME_LIMIT=${DRILL_HARD:-8}
export EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend EMAIL_HOST=127.0.0.1 EMAIL_PORT=$SMTP_PORT EMAIL_TIMEOUT=30
export LOG_FORMAT=text
PY=.venv/bin/python

$PY - "$SMTP_PORT" >"$out/smtp.log" 2>&1 <<'PYEOF' &
import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen()
held = []
while True:  # accept and never greet: a hung mail server
    conn, _ = server.accept()
    held.append(conn)
    print("connection held", flush=True)
PYEOF
smtp_pid=$!
.venv/bin/celery -A skincare worker -P prefork -c 1 -I tools.drill_tasks -n "drill-$$@%h" -l info \
  --without-gossip --without-mingle >"$out/worker.log" 2>&1 &
worker_pid=$!
trap 'kill $worker_pid $smtp_pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do grep -q "ready\." "$out/worker.log" && break; sleep 1; done
grep -q "ready\." "$out/worker.log" || { cat "$out/worker.log"; exit 1; }

since=$($PY manage.py shell -v 0 -c "from skincare.models import FailedTask; print(FailedTask.objects.order_by('-id').values_list('id', flat=True).first() or 0)")
started=$(date +%s)
.venv/bin/celery -A skincare call skincare.send_templated_email \
  --kwargs '{"to": "drill@example.com", "template": "emails/accounts/verify_email", "context": {"user": {"first_name": "Drill"}, "verify_url": "https://shop.example/verify"}}'
.venv/bin/celery -A skincare call drill.ignores_soft_limit --args '[30]'
.venv/bin/celery -A skincare call drill.stops_at_soft_limit --args '[100]'
# -c 1 runs them one after another: ~3 s + ~8 s + ~3 s, plus start-up on a loaded machine.
for _ in $(seq 120); do
  [ "$(grep -cE 'succeeded in|raised unexpected|Hard time limit' "$out/worker.log")" -ge 3 ] && break
  sleep 1
done
echo "== worker log (task lines), $(($(date +%s) - started)) s after sending"
grep -E "Received task|Soft time limit|Hard time limit|succeeded in|raised unexpected|Process .* exited|SoftTimeLimitExceeded|TimeLimitExceeded" \
  "$out/worker.log" | grep -v "^ " | cut -c1-260
echo "== FailedTask rows added"
$PY manage.py shell -v 0 -c "
from skincare.models import FailedTask
for row in FailedTask.objects.filter(id__gt=$since).order_by('id'):
    print(row.task_name, '|', row.exception_type, '|', row.exception_message[:80], '|', len(row.traceback or ''), 'chars of traceback')
"
if [ -n "${DRILL_BASE_URL:-}" ]; then
  echo "== GET /api/v1/staff/tasks/failures as the demo admin"
  token=$(curl -s -H 'X-Forwarded-Proto: https' -H 'Content-Type: application/json' \
    -d '{"email": "admin@skincare.local", "password": "skincare-demo"}' "$DRILL_BASE_URL/api/v1/auth/login" \
    | $PY -c "import json, sys; print(json.load(sys.stdin)['data']['access'])")
  curl -s -H 'X-Forwarded-Proto: https' -H "Authorization: Bearer $token" "$DRILL_BASE_URL/api/v1/staff/tasks/failures?per_page=3" \
    | $PY -c "
import json, sys
body = json.load(sys.stdin)
print('meta', body['meta'])
for row in body['data']:
    print({k: (v[:70] if isinstance(v, str) else v) for k, v in row.items() if k != 'traceback'})
"
fi
echo "logs in $out"
