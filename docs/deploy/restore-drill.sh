#!/usr/bin/env bash
# The restore drill of docs/deployment.md, repeatable on any machine with PostgreSQL and the
# project's .venv: build a database with demo data, back it up with backup.sh, lose it, restore
# it by the steps in "Restoring" (same commands, drill names), and check that nothing is missing
# and the app serves from it. Not part of CI. Usage, from the project folder:
#   PGURL=postgres://postgres@127.0.0.1:5432 docs/deploy/restore-drill.sh
# It creates and drops the databases rehabit_drill and rehabit_drill_restored (give
# --keep to leave the restored one) and works in a temporary folder. DRILL_BENCH_PATIENTS=300
# adds a year of a 300-patient clinic (manage.py bench_data) for figures closer to a real one.
set -euo pipefail
cd "$(dirname "$0")/../.."

pgurl="${PGURL:-postgres://postgres@127.0.0.1:5432}"
source_db=rehabit_drill
restored_db=rehabit_drill_restored
port="${DRILL_PORT:-8799}"
keep=false
[ "${1:-}" = "--keep" ] && keep=true
work="$(mktemp -d)"
server_pid=

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  psql "$pgurl/postgres" -qc "DROP DATABASE IF EXISTS $source_db" >/dev/null
  $keep || psql "$pgurl/postgres" -qc "DROP DATABASE IF EXISTS $restored_db" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

run() { printf '+ %s\n' "$*"; "$@"; }
now() { date +%s.%N; }
took() { printf '%.1f s' "$(echo "$2 - $1" | bc)"; }
table_counts() {
  # Every table of the public schema with its exact row count.
  psql "$1" -tAc "SELECT table_name || ' ' || (xpath('/row/n/text()', query_to_xml(format(
    'SELECT count(*) AS n FROM public.%I', table_name), false, true, '')))[1]::text
    FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    ORDER BY table_name"
}

export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="restore-drill-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_STATIC_ROOT="$work/static"
export DJANGO_MEDIA_ROOT="$work/media"
export REHABIT_BACKUP_DIR="$work/backups"
PY=.venv/bin/python

echo "== Restore drill, $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname), $(psql "$pgurl/postgres" -tAc 'SHOW server_version') / $(pg_dump --version)"

echo; echo "== 1. An installation with data: $source_db, migrated, demo data, one uploaded picture"
psql "$pgurl/postgres" -qc "DROP DATABASE IF EXISTS $source_db" -c "DROP DATABASE IF EXISTS $restored_db"
run createdb --maintenance-db="$pgurl/postgres" "$source_db"
export DATABASE_URL="$pgurl/$source_db"
run $PY manage.py migrate --no-input --verbosity 0
run $PY manage.py seed_demo --allow-production
if [ -n "${DRILL_BENCH_PATIENTS:-}" ]; then
  run $PY manage.py bench_data --patients "$DRILL_BENCH_PATIENTS" --days 365 --seed 1 --allow-production
fi
# The demo data has no pictures; one stands in for the clinic's uploads.
mkdir -p "$DJANGO_MEDIA_ROOT/exercises"
$PY -c "from PIL import Image; Image.new('RGB', (640, 480), (40, 120, 180)).save('$DJANGO_MEDIA_ROOT/exercises/0123456789abcdef0123456789abcdef.png')"
table_counts "$DATABASE_URL" >"$work/counts.before"
echo "tables: $(wc -l <"$work/counts.before"), rows: $(awk '{s+=$2} END {print s}' "$work/counts.before"), database size: $(psql "$DATABASE_URL" -tAc "SELECT pg_size_pretty(pg_database_size('$source_db'))")"

echo; echo "== 2. Back up with backup.sh"
t0=$(now)
run docs/deploy/backup.sh
t1=$(now)
echo "backup took $(took "$t0" "$t1")"
ls -l "$REHABIT_BACKUP_DIR"
set_path="$(ls "$REHABIT_BACKUP_DIR"/rehabit-*.sha256)"
set_path="${set_path%.sha256}"

echo; echo "== 3. Lose the database and the pictures"
run psql "$pgurl/postgres" -qc "DROP DATABASE $source_db"
run rm -rf "$DJANGO_MEDIA_ROOT"

echo; echo "== 4. Restore, by the steps in docs/deployment.md \"Restoring\""
t0=$(now)
(cd "$REHABIT_BACKUP_DIR" && run sha256sum --check "$(basename "$set_path").sha256")
run createdb --maintenance-db="$pgurl/postgres" "$restored_db"
run pg_restore --exit-on-error --no-owner --dbname="$pgurl/$restored_db" "$set_path.dump"
run mkdir -p "$DJANGO_MEDIA_ROOT.restored"
run tar --extract --gzip --file="$set_path.media.tar.gz" --directory="$DJANGO_MEDIA_ROOT.restored"
run mv "$DJANGO_MEDIA_ROOT.restored" "$DJANGO_MEDIA_ROOT"
export DATABASE_URL="$pgurl/$restored_db"
run $PY manage.py migrate --check
t1=$(now)
echo "restore took $(took "$t0" "$t1")"

echo; echo "== 5. Verify"
table_counts "$DATABASE_URL" >"$work/counts.after"
if diff -u "$work/counts.before" "$work/counts.after"; then
  echo "row counts: all $(wc -l <"$work/counts.after") tables match ($(awk '{s+=$2} END {print s}' "$work/counts.after") rows)"
else
  echo "row counts differ" >&2; exit 1
fi
grep -E '^(clinics_clinic|clinics_user|patients_patient|patients_sessionlog|patients_sessionentry|patients_painreport|prescriptions_plan|prescriptions_planitem|exercises_exercise) ' "$work/counts.after"
ls -l "$DJANGO_MEDIA_ROOT/exercises"
run $PY manage.py collectstatic --no-input --verbosity 0
REHABIT_BIND="127.0.0.1:$port" WEB_CONCURRENCY=2 .venv/bin/gunicorn -c config/gunicorn.py config.wsgi \
  >"$work/gunicorn.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.2; done
run curl -sS -i "http://127.0.0.1:$port/healthz"
echo
printf '+ curl -sS -H "X-Forwarded-Proto: https" http://127.0.0.1:%s/sign-in/ | grep title\n' "$port"
curl -fsS -H "X-Forwarded-Proto: https" "http://127.0.0.1:$port/sign-in/" | grep -o '<title>.*</title>'
echo "+ sign in as patient@example.com through gunicorn and open today's routine"
$PY - "$port" <<'PYTHON'
import http.client, re, sys
from urllib.parse import urlencode

port = int(sys.argv[1])
https = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
cookies = {}

def ask(method, path, body=None, headers=()):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connection.request(method, path, body, {**https, **dict(headers), "Cookie": jar})
    response = connection.getresponse()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";")[0]
    return response.status, response.getheader("Location"), response.read().decode()

_, _, page = ask("GET", "/sign-in/")
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
form = urlencode({"csrfmiddlewaretoken": token, "username": "patient@example.com",
                  "password": "rehabit-demo-2026"})
status, location, _ = ask("POST", "/sign-in/", form, {
    "Content-Type": "application/x-www-form-urlencoded", "Origin": "https://127.0.0.1",
    "Referer": "https://127.0.0.1/sign-in/"})
print("sign-in:", status, location)
status, location, page = ask("GET", location)
while status == 302:
    status, location, page = ask("GET", location)
title = re.search(r"<title>(.*?)</title>", page).group(1)
exercises = re.findall(r"Knee-to-chest|Prone press-up", page)
print("page:", status, title, "| exercises shown:", sorted(set(exercises)))
assert status == 200 and exercises, "the restored patient's routine did not show"
PYTHON
kill "$server_pid"; wait "$server_pid" || true; server_pid=
echo; echo "== Drill passed"
