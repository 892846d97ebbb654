"""Time the therapist dashboard and the patient page against a bare Django view.

Run from the repository root, against a database holding the bench clinic
(`manage.py bench_data --seed 1`):

    DATABASE_URL=... .venv/bin/python -m bench.run [--seed 1] [--iterations 50] [--json out.json]

Requests go through `django.test.Client` in this process, signed in as the bench therapist, so
what is timed is the server's work (URL routing, middleware, view, queries, template), with no
network and no browser. The bare view in `bench.urls` sits behind the same middleware and is
timed the same way in the same run: it is the reference, and a page's time over it is the
page's own cost. The URLs are timed in turn, round after round, so a busy moment on the machine
falls on all of them alike. Settings are `bench.settings` (development settings, DEBUG off).
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path


def p95(samples: list[float]) -> float:
    """The 95th percentile, the same way in the benchmark and the load test."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="which bench clinic (default 1)")
    parser.add_argument("--iterations", type=int, default=50, help="timed requests per URL")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per URL first")
    parser.add_argument("--patient", type=int, help="patient id for the patient page")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.iterations < 2:
        parser.error("--iterations must be at least 2")

    from django.conf import settings

    if settings.DEBUG:
        print("DEBUG is on: it records every query and slows every page. Use bench.settings.")
        return 2
    report = run(
        seed=args.seed, iterations=args.iterations, warmup=args.warmup, patient_pk=args.patient
    )
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nWritten to {args.json}")
    return 0


# Pages whose name starts so are timed with nothing in the cache (the caseload's rows).
UNCACHED = "dashboard, rows not cached, "


def run(*, seed: int, iterations: int, warmup: int, patient_pk: int | None) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count, Min
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from clinics.models import User
    from devdata.bench import bench_clinic_find, bench_counts, bench_therapist_email
    from patients.models import Patient, PatientStatus

    started_at = datetime.datetime.now(datetime.UTC)
    clinic = bench_clinic_find(seed)
    if clinic is None:
        raise SystemExit(
            f"No bench clinic for seed {seed} in this database. Build it first:\n"
            f"  .venv/bin/python manage.py bench_data --seed {seed}"
        )
    therapist = User.objects.get(email=bench_therapist_email(seed))
    patients = Patient.objects.filter(clinic=clinic, primary_therapist=therapist)
    if patient_pk is None:
        # The bench therapist's active patient with the longest and fullest history.
        patient = (
            patients.filter(status=PatientStatus.ACTIVE)
            .annotate(first_session=Min("sessions__performed_on"), logged=Count("sessions"))
            .filter(logged__gt=0)
            .order_by("first_session", "-logged", "pk")
            .first()
        )
    else:
        patient = Patient.objects.get(clinic=clinic, pk=patient_pk)
    patient_sessions = patient.sessions.count()
    patient_since = patient.sessions.order_by("performed_on").values_list(
        "performed_on", flat=True
    )[:1]

    client = Client(raise_request_exception=False)
    client.force_login(therapist, backend="django.contrib.auth.backends.ModelBackend")
    caseload = reverse("insights:caseload")
    targets = [
        ("bare view (reference)", reverse("bench-bare")),
        ("dashboard, my patients", f"{caseload}?scope=mine"),
        ("dashboard, whole clinic", f"{caseload}?scope=all"),
        # The same with no row's markup cached, as after every patient on the page changed.
        (UNCACHED + "my patients", f"{caseload}?scope=mine&uncached"),
        (UNCACHED + "whole clinic", f"{caseload}?scope=all&uncached"),
        ("patient page (a year of history)", reverse("insights:patient-detail", args=[patient.pk])),
    ]
    # The API, called with a key of the bench clinic made for this run and revoked after it.
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {_bench_key(clinic, therapist)}"}
    targets += [
        (label, url, api_headers)
        for label, url in (
            ("API: patients, a page of 50", "/api/v1/patients/"),
            ("API: session logs, a page of 50", "/api/v1/session-logs/"),
            ("API: plans, a page of 50", "/api/v1/plans/"),
            ("API: FHIR bundle (a year of history)", f"/api/fhir/Patient/{patient.pk}/$everything"),
        )
    ]
    targets = [target if len(target) == 3 else (*target, {}) for target in targets]

    results = []
    for label, url, headers in targets:
        result = {"page": label, "url": url, "headers": headers}
        results.append(result)
        error = None
        for _ in range(warmup):
            error = _failure(client.get(url, **headers))
            if error:
                break
        if error is None:
            timer = _QueryTimer()
            if label.startswith(UNCACHED):
                cache.clear()
            with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
                response = client.get(url, **headers)
            error = _failure(response)
        if error:
            # The pages are being rebuilt as this is written: one that fails is reported as
            # failing, and the others are still measured.
            result["error"] = error
            continue
        result.update(
            queries=len(queries),
            sql_ms=round(timer.nanoseconds / 1e6, 2),
            bytes=len(response.content),
            samples=[],
        )
    timed = [result for result in results if "error" not in result]
    # The pages timed with nothing cached go round after the others, each request after
    # emptying the cache, so that they leave the others' cached rows alone.
    for group in (
        [result for result in timed if not result["page"].startswith(UNCACHED)],
        [result for result in timed if result["page"].startswith(UNCACHED)],
    ):
        for _ in range(iterations):
            for result in group:
                if result["page"].startswith(UNCACHED):
                    cache.clear()
                started = time.perf_counter_ns()
                response = client.get(result["url"], **result["headers"])
                result["samples"].append((time.perf_counter_ns() - started) / 1e6)
                if response.status_code != 200:
                    raise SystemExit(
                        f"GET {result['url']} answered {response.status_code} mid-run."
                    )
    _bench_keys_revoke(clinic, therapist)
    for result in results:
        result.pop("headers")
    for result in timed:
        samples = result.pop("samples")
        result["median_ms"] = round(statistics.median(samples), 2)
        result["p95_ms"] = round(p95(samples), 2)
        result["min_ms"] = round(min(samples), 2)
        result["max_ms"] = round(max(samples), 2)

    import django

    return {
        "when": started_at.strftime("%Y-%m-%d %H:%M UTC"),
        "database": _database_description(connection),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": [round(load, 2) for load in os.getloadavg()],
            "python": platform.python_version(),
            "django": django.get_version(),
        },
        "data": {
            "clinic": clinic.name,
            "size": clinic.address,
            **bench_counts(clinic),
            "bench_therapist_patients": patients.count(),
            "patient_page_pk": patient.pk,
            "patient_page_sessions": patient_sessions,
            "patient_page_since": str(patient_since[0]) if patient_since else None,
        },
        "iterations": iterations,
        "warmup": warmup,
        "results": results,
    }


def _bench_key(clinic, therapist) -> str:
    from clinics.models import ApiScope, Role, User
    from clinics.services import api_key_create

    admin = User.objects.filter(clinic=clinic, role=Role.CLINIC_ADMIN).first() or therapist
    _key, text = api_key_create(
        clinic=clinic,
        name=f"Bench {datetime.datetime.now(datetime.UTC):%Y%m%d%H%M%S%f}",
        scope=ApiScope.READ,
        acts_as=therapist,
        created_by=admin,
    )
    return text


def _bench_keys_revoke(clinic, therapist) -> None:
    from clinics.models import ApiKey, Role, User
    from clinics.services import api_key_revoke

    admin = User.objects.filter(clinic=clinic, role=Role.CLINIC_ADMIN).first() or therapist
    for key in ApiKey.objects.filter(clinic=clinic, name__startswith="Bench ").usable():
        api_key_revoke(key=key, revoked_by=admin)


class _QueryTimer:
    """Time spent in cursor.execute, for one request. On PostgreSQL that includes fetching the
    rows; SQLite hands rows over lazily, so some of its work falls after execute returns."""

    def __init__(self):
        self.nanoseconds = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            self.nanoseconds += time.perf_counter_ns() - started


def _failure(response) -> str | None:
    if response.status_code == 200:
        return None
    error = f"HTTP {response.status_code}"
    if response.exc_info:
        message = str(response.exc_info[1]).splitlines()[:1]
        error += f": {response.exc_info[0].__name__}: {''.join(message)}"
    return error


def _database_description(connection) -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000} ({name})"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({name})"
    return f"{connection.display_name} ({name})"


def print_report(report: dict) -> None:
    machine = report["machine"]
    data = report["data"]
    print(f"Rehabit benchmark, {report['when']}")
    print(f"  database  {report['database']}")
    print(
        f"  machine   {machine['cpus']} CPUs, load average "
        f"{' '.join(str(load) for load in machine['load_average'])}, "
        f"Python {machine['python']}, Django {machine['django']}"
    )
    print(
        f"  data      {data['clinic']}: {data['patients']:,} patients, "
        f"{data['session logs']:,} sessions, {data['session log entries']:,} entries, "
        f"{data['pain reports']:,} pain reports"
    )
    print(
        f"            the bench therapist has {data['bench_therapist_patients']} patients; the "
        f"patient page shows {data['patient_page_sessions']:,} sessions since "
        f"{data['patient_page_since']}"
    )
    print(
        f"  runs      {report['warmup']} warm-up, then {report['iterations']} timed requests "
        f"per URL, in turn"
    )
    print()
    width = max(len(result["page"]) for result in report["results"])
    header = (
        f"{'page':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'over bare':>9}  "
        f"{'queries':>7}  {'SQL ms':>7}  {'KB':>6}  url"
    )
    print(header)
    print("-" * len(header))
    bare = report["results"][0].get("median_ms", 0)
    for result in report["results"]:
        if "error" in result:
            print(
                f"{result['page']:<{width}}  failed, not timed: {result['error']}  {result['url']}"
            )
            continue
        over = result["median_ms"] - bare
        print(
            f"{result['page']:<{width}}  {result['median_ms']:>9.1f}  {result['p95_ms']:>8.1f}  "
            f"{over:>+9.1f}  {result['queries']:>7}  {result['sql_ms']:>7.1f}  "
            f"{result['bytes'] / 1024:>6.1f}  "
            f"{result['url']}"
        )


if __name__ == "__main__":
    sys.exit(main())
