"""The load test: gunicorn with 2 workers on PostgreSQL, patients' phones logging sessions and
pain reports (with the double taps and retries phones make), therapists on the dashboard and
patient pages, and the bare view timed alongside as the reference.

    .venv/bin/python -m bench.load [--minutes 3] [--patients 60] [--database postgres://…]

Needs the `load` extra (`pip install -c constraints.txt ".[load]"`, for locust). One command
does everything: creates the database if it is missing, migrates it, builds the bench clinic
(`bench_data --patients 300 --days 365 --seed 1`, idempotent) and gives the load test's
accounts the bench password, starts gunicorn with `bench.settings`, runs locust headless with
`bench/locustfile.py`, stops gunicorn (whatever happens), prints throughput, median and p95 per
request type and the errors, then checks the database: every acknowledged session log and pain
report is stored exactly once. Exits 1 if a target is missed (any error, any lost or doubled
log, a dashboard p95 of 300 ms or more).

Figures are taken from the moment the last user has signed in (sign-in is a deliberately slow
password hash, half a second of CPU each) to the end; errors are counted over the whole run.
Locust runs in its own process; this one never imports it (locust patches the standard library
with gevent), and loads Django only to prepare the accounts and check the database.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

from bench import load_check
from bench.run import p95

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/rehabit_load"
BENCH_SIZE = ["--patients", "300", "--days", "365"]
WORKERS = 2
DASHBOARD_P95_MS = 300
# Sign-ins take about half a second of CPU each; users start at --spawn-rate a second and the
# figures are taken only once the last one is in, so the run lasts this much longer.
SIGN_IN_ALLOWANCE_SECONDS = 30
# Request types shown first, in this order; any others follow by name.
ORDER = [
    "bare view",
    "dashboard (mine)",
    "dashboard (all)",
    "patient page",
    "today",
    "session form",
    "session log",
    "session log (abandoned)",
    "session log (double tap)",
    "session log (resend)",
    "session log (answer lost)",
    "session log (retry)",
    "session saved",
    "pain form",
    "pain report",
    "pain report (abandoned)",
    "pain report (double tap)",
    "pain report (resend)",
    "pain report (answer lost)",
    "pain report (retry)",
    "pain report saved",
]
TARGET_P95 = ("dashboard (mine)", "dashboard (all)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--minutes", type=float, default=3, help="measured minutes (default 3)")
    parser.add_argument(
        "--patients",
        type=int,
        default=30,
        help="patients' phones, each signed in as its own patient (default 30)",
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=4, help="users started per second (default 4)"
    )
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="PostgreSQL URL")
    parser.add_argument("--seed", type=int, default=1, help="which bench clinic (default 1)")
    parser.add_argument("--port", type=int, default=8765, help="gunicorn's port (default 8765)")
    parser.add_argument(
        "--out", type=Path, help="folder for the results (default /tmp/rehabit-load-<time>)"
    )
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.patients < 1 or args.spawn_rate <= 0:
        parser.error("--minutes, --patients and --spawn-rate must be positive")
    if not args.database.startswith(("postgres://", "postgresql://")):
        parser.error("the load test runs on PostgreSQL: give a postgres:// URL")
    locust = _executable("locust")
    gunicorn = _executable("gunicorn")
    if locust is None:
        print('locust is not installed: .venv/bin/pip install -c constraints.txt ".[load]"')
        return 2
    out = args.out or Path(f"/tmp/rehabit-load-{time.strftime('%Y%m%d-%H%M%S')}")
    out.mkdir(parents=True, exist_ok=True)

    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "PYTHONUNBUFFERED": "1",
    }
    _database_create(args.database)
    _run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, step="migrate")
    _run(
        [
            sys.executable,
            "manage.py",
            "bench_data",
            *BENCH_SIZE,
            "--seed",
            str(args.seed),
            "--patient-logins",
            str(args.patients),
        ],
        env=env,
        step="bench_data",
    )

    os.environ["DATABASE_URL"] = args.database
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    config, clinic = _accounts(seed=args.seed, patients=args.patients, results=out / "results")
    config_path = out / "config.json"
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    users = len(config["patients"]) + len(config["therapists"]) + 1
    ramp = users / args.spawn_rate + SIGN_IN_ALLOWANCE_SECONDS
    run_seconds = round(args.minutes * 60 + ramp)
    since = timezone.now()
    connection.close()

    host = f"http://127.0.0.1:{args.port}"
    load = _LoadSampler()
    server = _gunicorn_start(gunicorn, port=args.port, database=args.database, out=out)
    try:
        _wait_until_serving(server, host)
        print(
            f"Running locust for {run_seconds} s: {len(config['patients'])} patients, "
            f"{len(config['therapists'])} therapists, 1 bare-view user, {args.spawn_rate}/s "
            f"against gunicorn ({WORKERS} workers) at {host}; results in {out}"
        )
        load.start()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with (out / "locust.log").open("w") as log:
            locust_exit = subprocess.run(
                [
                    locust,
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",
                    f"{run_seconds}s",
                    "--stop-timeout",
                    "30",
                    "--host",
                    host,
                    "--csv",
                    str(out / "locust"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                env={**env, "REHABIT_LOAD_CONFIG": str(config_path)},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            ).returncode
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        load.stop()
        server_cpu = _process_tree_cpu(server.pid)
    finally:
        _gunicorn_stop(server)
    locust_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    records = _records(out / "results")
    figures = _figures(records)
    acknowledgements = load_check.acknowledgements_read(sorted((out / "results").glob("*.jsonl")))
    result = load_check.check(
        acknowledgements,
        load_check.stored_rows(
            clinic=clinic, tokens=[ack.token for ack in acknowledgements], since=since
        ),
        load_check.duplicate_tokens(),
    )
    report = {
        "when": since.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.load " + " ".join(argv if argv is not None else sys.argv[1:]),
        "database": f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "load_average": load.summary(),
            "cpu_seconds": {"gunicorn": round(server_cpu, 1), "locust": round(locust_cpu, 1)},
        },
        "users": {
            "patients": len(config["patients"]),
            "therapists": len(config["therapists"]),
            "bare view": 1,
            "spawn_rate": args.spawn_rate,
        },
        "locust_exit": locust_exit,
        **figures,
        "check": {
            "submissions": result.submissions,
            "acknowledgements": result.acknowledgements,
            "lost": [list(key) for key in result.lost],
            "doubled": [list(key) for key in result.doubled],
            "mismatched": [list(key) for key in result.mismatched],
            "duplicate_tokens": [list(key) for key in result.duplicate_tokens],
            "unacknowledged": len(result.unacknowledged),
        },
    }
    report["verdict"] = _verdict(report, result)
    (out / "summary.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report)
    print(f"\nResults, locust's own CSV and the server's logs: {out}")
    return 0 if report["verdict"]["passed"] else 1


def _executable(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _run(command: list[str], *, env: dict, step: str) -> None:
    print(f"{step}…", flush=True)
    finished = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if finished.returncode != 0:
        print(finished.stdout[-3000:], finished.stderr[-3000:], sep="\n")
        raise SystemExit(f"{step} failed (exit {finished.returncode})")


def _database_create(url: str) -> None:
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    connect = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **connect) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not found:
            print(f"Creating database {settings['NAME']}")
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def _accounts(*, seed: int, patients: int, results: Path):
    """Who the locust users sign in as, and where they write their results."""
    from clinics.models import Role, User
    from devdata.bench import (
        BENCH_PASSWORD,
        bench_clinic_find,
        bench_logins_enable,
        bench_therapist_email,
    )
    from patients.models import Patient, PatientStatus

    clinic = bench_clinic_find(seed)
    chosen = bench_logins_enable(clinic=clinic, patients=patients)
    if len(chosen) < patients:
        print(f"Only {len(chosen)} bench patients can sign in; using those.")
    therapists = []
    for therapist in User.objects.filter(clinic=clinic, role=Role.THERAPIST).order_by("pk"):
        caseload = Patient.objects.filter(
            primary_therapist=therapist, status=PatientStatus.ACTIVE
        ).order_by("pk")
        therapists.append(
            {"email": therapist.email, "patients": list(caseload.values_list("pk", flat=True))}
        )
    config = {
        "password": BENCH_PASSWORD,
        "patients": [patient.user.email for patient in chosen],
        "therapists": therapists,
        "reference": bench_therapist_email(seed),
        "results": str(results),
    }
    return config, clinic


def _gunicorn_start(gunicorn: str, *, port: int, database: str, out: Path) -> subprocess.Popen:
    """gunicorn with the production config when there is one (config/gunicorn.py), told by its
    environment variables and by flags, which win over a config file, to listen on the load
    test's port with 2 workers and to serve `bench.settings` (for the bare view)."""
    bind = f"127.0.0.1:{port}"
    command = [gunicorn]
    production_config = ROOT / "config" / "gunicorn.py"
    if production_config.exists():
        command += ["--config", str(production_config)]
    command += [
        "--bind",
        bind,
        "--workers",
        str(WORKERS),
        "--access-logfile",
        str(out / "access.log"),
        "--error-logfile",
        str(out / "gunicorn.log"),
        "config.wsgi:application",
    ]
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        # A server keeps its database connection, as production should (docs/performance.md).
        "DJANGO_DB_CONN_MAX_AGE": "60",
        "REHABIT_BIND": bind,
        "WEB_CONCURRENCY": str(WORKERS),
        "REHABIT_ACCESS_LOG": str(out / "access.log"),
    }
    with (out / "gunicorn.log").open("a") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )


def _wait_until_serving(server: subprocess.Popen, host: str) -> None:
    """Until the bare view answers: a redirect to sign in (it is behind the sign-in like every
    page). A 404 means the server is not on bench.settings and the reference would be missing."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see its log")
        try:
            opener.open(f"{host}/bench/bare/", timeout=5)
            return
        except urllib.error.HTTPError as error:
            if error.code in (301, 302):
                return
            raise SystemExit(
                f"GET /bench/bare/ answered {error.code}: not bench.settings?"
            ) from None
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 60 s")


def _gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its reaped children (workers gunicorn replaced) and its live
    children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")

    def stat(process: int) -> list[str]:
        text = Path(f"/proc/{process}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()

    try:
        fields = stat(pid)
    except OSError:
        return 0.0
    total = sum(int(value) for value in fields[11:15])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = stat(int(entry.name))
        except OSError:
            continue
        if int(child[1]) == pid:
            total += int(child[11]) + int(child[12])
    return total / ticks


class _LoadSampler:
    """The 1-minute load average every 5 seconds during the run."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self.at_start = os.getloadavg()
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(5):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.at_end = os.getloadavg()

    def summary(self) -> dict:
        return {
            "before": [round(value, 2) for value in self.at_start],
            "during_min": round(min(self.samples, default=0), 2),
            "during_max": round(max(self.samples, default=0), 2),
            "after": [round(value, 2) for value in self.at_end],
        }


def _records(folder: Path) -> list[dict]:
    records = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            records.extend(json.loads(line) for line in lines if line.strip())
    return records


def _figures(records: list[dict]) -> dict:
    requests = [record for record in records if record["event"] == "request"]
    if not requests:
        raise SystemExit("locust recorded no requests; see locust.log")
    signed_in = [
        record["start"] + record["ms"] / 1000 for record in requests if record["name"] == "sign in"
    ]
    window_start = max(signed_in, default=min(record["start"] for record in requests))
    window_end = max(record["start"] + record["ms"] / 1000 for record in requests)
    seconds = max(window_end - window_start, 1e-9)
    by_name: dict[str, list[dict]] = defaultdict(list)
    for record in requests:
        if record["start"] >= window_start:
            by_name[record["name"]].append(record)
    rows = []
    names = [name for name in ORDER if name in by_name]
    names += sorted(name for name in by_name if name not in ORDER)
    for name in names:
        samples = [record["ms"] for record in by_name[name]]
        rows.append(
            {
                "name": name,
                "count": len(samples),
                "failed": sum(1 for record in by_name[name] if record["error"]),
                "per_second": round(len(samples) / seconds, 2),
                "median_ms": round(statistics.median(samples), 1),
                "p95_ms": round(p95(samples), 1),
                "max_ms": round(max(samples), 1),
            }
        )
    errors = defaultdict(int)
    for record in requests:
        if record["error"]:
            errors[f"{record['name']}: {record['error']}"] += 1
    for record in records:
        if record["event"] == "user error":
            errors[f"{record['user']}: {record['error']}"] += 1
    sign_ins = [record["ms"] for record in requests if record["name"] == "sign in"]
    return {
        "sign_in": {
            "count": len(sign_ins),
            "median_ms": round(statistics.median(sign_ins), 1) if sign_ins else None,
            "p95_ms": round(p95(sign_ins), 1) if sign_ins else None,
        },
        "measured_seconds": round(seconds, 1),
        "requests": sum(row["count"] for row in rows),
        "per_second": round(sum(row["count"] for row in rows) / seconds, 1),
        "rows": rows,
        "errors": sum(errors.values()),
        "error_kinds": dict(sorted(errors.items(), key=lambda item: -item[1])[:20]),
    }


def _verdict(report: dict, result: load_check.CheckResult) -> dict:
    rows = {row["name"]: row for row in report["rows"]}
    checks = {
        "zero errors": report["errors"] == 0 and report["locust_exit"] == 0,
        "zero lost or doubled logs": result.passed and result.submissions > 0,
    }
    for name in TARGET_P95:
        row = rows.get(name)
        checks[f"{name} p95 < {DASHBOARD_P95_MS} ms"] = (
            row is not None and row["p95_ms"] < DASHBOARD_P95_MS
        )
    return {"checks": checks, "passed": all(checks.values())}


def print_report(report: dict) -> None:
    machine = report["machine"]
    load = machine["load_average"]
    users = report["users"]
    print()
    print(f"Rehabit load test, {report['when']}: {report['command']}")
    print(
        f"  server    gunicorn, {WORKERS} sync workers, bench.settings, {report['database']} "
        f"on the same machine"
    )
    print(
        f"  machine   {machine['cpus']} CPUs; load average before {load['before'][0]}, during "
        f"{load['during_min']}–{load['during_max']}, after {load['after'][0]}; CPU seconds: "
        f"gunicorn {machine['cpu_seconds']['gunicorn']}, locust {machine['cpu_seconds']['locust']}"
    )
    print(
        f"  users     {users['patients']} patients, {users['therapists']} therapists, "
        f"{users['bare view']} bare-view user, started at {users['spawn_rate']}/s"
    )
    print(
        f"  measured  {report['measured_seconds']} s after the last sign-in: "
        f"{report['requests']:,} requests, {report['per_second']} req/s"
    )
    sign_in = report["sign_in"]
    print(
        f"  sign-in   {sign_in['count']} at the start, median {sign_in['median_ms']} ms, p95 "
        f"{sign_in['p95_ms']} ms (a deliberately slow password hash; not in the table)"
    )
    print()
    width = max(len(row["name"]) for row in report["rows"])
    header = (
        f"{'request':<{width}}  {'count':>6}  {'failed':>6}  {'req/s':>6}  {'median ms':>9}  "
        f"{'p95 ms':>8}  {'max ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in report["rows"]:
        print(
            f"{row['name']:<{width}}  {row['count']:>6}  {row['failed']:>6}  "
            f"{row['per_second']:>6.2f}  {row['median_ms']:>9.1f}  {row['p95_ms']:>8.1f}  "
            f"{row['max_ms']:>8.1f}"
        )
    print()
    print(f"Errors over the whole run (sign-ins included): {report['errors']}")
    for kind, count in report["error_kinds"].items():
        print(f"  {count:>5} × {kind}")
    check = report["check"]
    print()
    print(
        f"Database check: {check['submissions']} submissions acknowledged "
        f"({check['acknowledgements']} acknowledging answers, repeats and retries included); "
        f"lost {len(check['lost'])}, stored twice {len(check['doubled'])}, answered with "
        f"another row {len(check['mismatched'])}, tokens stored twice anywhere "
        f"{len(check['duplicate_tokens'])}; stored but never acknowledged (answer lost, not "
        f"retried before the end) {check['unacknowledged']}"
    )
    for label in ("lost", "doubled", "mismatched", "duplicate_tokens"):
        for key in check[label][:10]:
            print(f"  {label}: {' '.join(str(part) for part in key)}")
    print()
    for name, passed in report["verdict"]["checks"].items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    print("PASS" if report["verdict"]["passed"] else "FAIL")


if __name__ == "__main__":
    sys.exit(main())
