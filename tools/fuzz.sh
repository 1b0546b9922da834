#!/usr/bin/env bash
# `make fuzz` (docs/fuzzing.md): schemathesis against the live schema of a gunicorn server in production
# mode (DEBUG=false) on PostgreSQL + Redis with demo data, for every operation, four times: anonymous and
# with a shopper's, a moderator's and an admin's token. Checks: no 5xx, the documented status codes,
# content types and response schemas, and the envelope (tools/schemathesis_hooks.py). Exits non-zero on
# any failure; each 5xx's traceback is in the server log.
#
# Knobs (environment): FUZZ_MAX_TIME seconds per pass (default 240), FUZZ_MAX_EXAMPLES per operation
# (default 25), FUZZ_PHASES (default examples,coverage,fuzzing,stateful), FUZZ_SEED, FUZZ_PORT (8450),
# FUZZ_DATABASE_URL (a PostgreSQL database this script drops and recreates; default skincare_fuzz),
# FUZZ_REDIS_URL (redis://127.0.0.1:6379/14), FUZZ_REUSE_DB=1 keeps an existing seeded database,
# FUZZ_WORKERS (schemathesis workers, default 1: with 2, hypothesis once raised an internal FlakyFailure while
# generating a body, which stops the pass), FUZZ_ROLES (default "anonymous shopper moderator admin"),
# FUZZ_OUT (report folder), FUZZ_ARGS (more
# schemathesis options, e.g. "--include-path /api/v1/cart").
# Only 127.0.0.1 is ever targeted.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PORT=${FUZZ_PORT:-8450}
BASE="http://127.0.0.1:$PORT"
DB_URL=${FUZZ_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/skincare_fuzz}
OUT=${FUZZ_OUT:-$(mktemp -d /tmp/skincare-fuzz.XXXXXX)}
ROLES=${FUZZ_ROLES:-anonymous shopper moderator admin}
mkdir -p "$OUT"

export DATABASE_URL="$DB_URL" REDIS_URL="${FUZZ_REDIS_URL:-redis://127.0.0.1:6379/14}" \
  CACHE_KEY_PREFIX="fuzz" MEDIA_ROOT="$OUT/media" PRIVATE_MEDIA_ROOT="$OUT/private_media" \
  DEBUG=false SECRET_KEY="fuzz-$(date +%s%N)-not-a-deployment-key-0123456789abcdef" \
  ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false CELERY_BROKER_URL= \
  THROTTLE_ANON=1000000/min THROTTLE_USER=1000000/min THROTTLE_AUTH=1000000/min \
  THROTTLE_UPLOAD=1000000/min THROTTLE_ANALYTICS=1000000/min THROTTLE_ORDER_LOOKUP=1000000/min \
  LOGIN_FAILURE_LIMIT=1000000 JWT_ACCESS_MINUTES=180 LOG_LEVEL=WARNING

if [ "${FUZZ_REUSE_DB:-0}" != 1 ]; then
  db_name=${DB_URL##*/}
  admin_url=${DB_URL%/*}/postgres
  echo "== fresh database $db_name with demo data"
  psql "$admin_url" -qc "drop database if exists $db_name with (force)" -c "create database $db_name"
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py seed_demo --scale "${FUZZ_SCALE:-0.05}" >"$OUT/seed.log"
fi
redis-cli -u "$REDIS_URL" flushdb >/dev/null
# Production mode serves pages with the manifest of collected static files (as the Dockerfile does);
# without it every HTML page, the 404 page included, is a 500 raised inside Django's error handler.
export STATIC_ROOT="$OUT/static"
"$PY" manage.py collectstatic --noinput -v0

echo "== gunicorn on $BASE (log: $OUT/server.log)"
# --limit-request-line 0: gunicorn itself refuses a request line over 4,094 bytes with an HTML 414
# before the app sees it (in production the proxy in front sets that limit); the fuzzer tests the app,
# so its long generated query strings must reach Django (which answers them in the envelope).
.venv/bin/gunicorn skincare.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --timeout 120 \
  --limit-request-line 0 --access-logfile - >"$OUT/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -fsS -o /dev/null "$BASE/health" 2>/dev/null && break; sleep 0.5; done
# The live schema, taken once (each gunicorn worker builds it on its first request, which can take longer
# than schemathesis waits for a schema on a loaded machine); every pass reads this copy.
curl -fsS --max-time 300 -o "$OUT/schema.json" "$BASE/api/schema/?format=json"

token() {  # demo password: skincare-demo
  curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"skincare-demo\"}" "$BASE/api/v1/auth/login" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"]["access"])'
}

status=0
for role in $ROLES; do
  case $role in
    anonymous) auth=() ;;
    shopper) auth=(-H "Authorization: Bearer $(token shopper1@skincare.local)") ;;
    moderator) auth=(-H "Authorization: Bearer $(token moderator@skincare.local)") ;;
    admin) auth=(-H "Authorization: Bearer $(token admin@skincare.local)") ;;
    *) echo "unknown role $role"; exit 2 ;;
  esac
  echo "== pass: $role (report: $OUT/$role)"
  # Logout and change-password would end the pass's token.
  SCHEMATHESIS_HOOKS=tools.schemathesis_hooks .venv/bin/schemathesis run "$OUT/schema.json" --url "$BASE" \
    "${auth[@]}" \
    -c not_a_server_error,api_envelope,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/change-password \
    --phases "${FUZZ_PHASES:-examples,coverage,fuzzing,stateful}" \
    --max-examples "${FUZZ_MAX_EXAMPLES:-25}" --max-time "${FUZZ_MAX_TIME:-240}" \
    --seed "${FUZZ_SEED:-1}" --workers "${FUZZ_WORKERS:-1}" --request-timeout 60 --warnings off --no-color \
    ${FUZZ_ARGS:-} --report junit,ndjson --report-dir "$OUT/$role" >"$OUT/$role.txt" 2>&1 || status=1
  tail -n 25 "$OUT/$role.txt"
done

# Django logs "Internal Server Error"; when its own error handler fails, gunicorn logs "Error handling request".
errors=$(grep -c -e "Internal Server Error" -e "Error handling request" "$OUT/server.log" || true)
echo "== server errors logged: $errors"
[ "$errors" = 0 ] || {
  grep -n -A 30 -e "Internal Server Error" -e "Error handling request" "$OUT/server.log" | head -200
  status=1
}
echo "== reports in $OUT"
exit $status
