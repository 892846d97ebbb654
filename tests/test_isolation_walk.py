"""Every URL of the project, as every persona that must not see the demo clinic's records.

The URL patterns come from the resolver, so a page added tomorrow is walked tomorrow. A pattern
this walk cannot fill with a real id fails the test until it is taught (in ROUTE_KWARGS): it is
never skipped. For each pattern and persona: anonymous visitors are sent to sign in (unless the
page is public), a persona with no business there gets 403 or 404 and never the data, and nothing
answers 500.
"""

import datetime
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clinics.models import ApiKey, ApiScope, Clinic, Role, User
from clinics.services import api_key_create, user_create
from console.services import webhook_add
from devdata.demo import DEMO_PASSWORD
from exercises.models import Exercise
from messaging.services import message_send
from monitoring.models import TimeEntry
from outbox.models import OutboxMessage
from outcomes.models import OutcomeEntry, PsfsActivity
from patients.models import PainReport, Patient, SessionLog
from patients.services import EntryInput, patient_account_create, session_log_record
from prescriptions.models import Plan, PlanTemplate
from prescriptions.services import ItemInput, template_create_from_plan
from push.services import subscription_save
from tests.clinics.factories import two_factor_turn_on
from webhooks.services import event_emit

# Pages anyone may open without signing in.
PUBLIC = {
    "clinics:login",
    "clinics:invitation-accept",
    "clinics:invitation-code",
    "clinics:sign-in-link",
    "clinics:sign-in-link-use",
    "clinics:unlock-link",
    "clinics:unlock-link-use",
    "clinics:sign-in-code",
    "notifications:unsubscribe",
    "admin-sign-in",
    "favicon",
    "healthz",
    # The patient's app: its manifest and service worker carry nothing of anyone.
    "manifest",
    "service-worker",
    # The API's reference and its schema describe the API, not anyone's records.
    "api:schema",
    "api:docs",
    # Choosing the language of the signed-out pages only sets a cookie and goes back.
    "set_language",
}
# The signed-in patient's own pages: "patient" (Pat, the demo patient) owns the records in them.
PATIENT_OWN = {
    "patients:today",
    "patients:offline",
    "patients:offline-sync",
    "patients:session-log",
    "patients:session-done",
    "patients:session-correct",
    "patients:pain-report",
    "patients:pain-report-result",
    "patients:history",
    "patients:record-views",
    "patients:account",
    "messaging:own-messages",
    "clinics:home",
    "clinics:password-change",
    "clinics:password-change-done",
    "clinics:logout",
}

# Words that only the demo clinic's records contain: a response that shows any of them to a
# persona with no right to them has leaked data.
MARKERS = [
    "Pat Patient",
    "Acute low back spasm",
    "Taylor Therapist",
    "Walk-secret stretch",
    "Walk-secret template",
    "walk-secret session note",
    "walk-secret message",
    "Walk-secret device",
]


def route_kwargs(demo):
    """How to fill each URL pattern with a real id of the demo clinic's objects."""
    patient = demo["patient"].pk
    activity = PsfsActivity.objects.filter(patient=patient).first().pk
    entry = OutcomeEntry.objects.filter(patient=patient).last().pk
    return {
        "clinics:invitation-accept": {"token": "not-a-real-token"},
        "clinics:invitation-code": {"token": "ABCDEFGHJK"},
        "clinics:sign-in-link-use": {"token": "not-a-real-token"},
        "clinics:unlock-link-use": {"token": "not-a-real-token"},
        "notifications:unsubscribe": {"token": "not-a-real-token"},
        "console:staff-invitation-resend": {"pk": demo["therapist"].pk},
        "console:staff-deactivate": {"pk": demo["therapist"].pk},
        "console:staff-reactivate": {"pk": demo["therapist"].pk},
        "console:staff-two-factor-reset": {"pk": demo["therapist"].pk},
        "console:account-unlock": {"pk": demo["patient"].user_id},
        "exercises:exercise-detail": {"pk": demo["exercise"].pk},
        "exercises:exercise-edit": {"pk": demo["exercise"].pk},
        "exercises:exercise-copy": {"pk": demo["exercise"].pk},
        "exercises:exercise-archive": {"pk": demo["exercise"].pk},
        "exercises:exercise-restore": {"pk": demo["exercise"].pk},
        "exercises:exercise-delete": {"pk": demo["exercise"].pk},
        "exercises:library-export": {"fmt": "csv"},
        "prescriptions:plan-detail": {"pk": demo["plan"].pk},
        "prescriptions:plan-handout": {"pk": demo["plan"].pk},
        "prescriptions:plan-handout-pdf": {"pk": demo["plan"].pk},
        "prescriptions:plan-edit": {"pk": demo["plan"].pk},
        "prescriptions:plan-status": {"pk": demo["plan"].pk},
        "prescriptions:plan-save-template": {"pk": demo["plan"].pk},
        "prescriptions:template-detail": {"pk": demo["template"].pk},
        "prescriptions:template-edit": {"pk": demo["template"].pk},
        "prescriptions:template-archive": {"pk": demo["template"].pk},
        "prescriptions:template-restore": {"pk": demo["template"].pk},
        "patients:session-log": {"plan_pk": demo["plan"].pk},
        "patients:session-done": {"pk": demo["session"].pk},
        "patients:session-correct": {"pk": demo["session"].pk},
        "patients:pain-report-result": {"pk": demo["pain_report"].pk},
        "insights:patient-detail": {"pk": demo["patient"].pk},
        "patients:patient-edit": {"pk": demo["patient"].pk},
        "patients:patient-discharge": {"pk": demo["patient"].pk},
        "patients:patient-reactivate": {"pk": demo["patient"].pk},
        "patients:patient-invite": {"pk": demo["patient"].pk},
        "patients:plan-create": {"pk": demo["patient"].pk},
        "patients:plan-handout-with-code": {"pk": demo["patient"].pk, "plan_pk": demo["plan"].pk},
        "insights:patient-export": {"pk": demo["patient"].pk},
        "insights:patient-export-json": {"pk": demo["patient"].pk},
        "insights:patient-fhir": {"pk": demo["patient"].pk},
        "insights:alert-acknowledge": {"pk": demo["patient"].pk},
        "messaging:patient-messages": {"pk": demo["patient"].pk},
        "console:outbox-resend": {"pk": demo["outbox_message"].pk},
        "push:device-remove": {"pk": demo["push_subscription"].pk},
        "monitoring:enrolment-edit": {"pk": demo["patient"].pk},
        "monitoring:time-entry-add": {"pk": demo["patient"].pk},
        "monitoring:time-entry-correct": {
            "pk": demo["patient"].pk,
            "entry_pk": TimeEntry.objects.filter(patient=demo["patient"]).first().pk,
        },
        "outcomes:staff-outcomes": {"pk": patient},
        "outcomes:total-record": {"pk": patient},
        "outcomes:activities-add": {"pk": patient},
        "outcomes:activity-retire": {"pk": patient, "activity_pk": activity},
        "outcomes:interval-set": {"pk": patient},
        "outcomes:entry-correct": {"pk": patient, "entry_pk": entry},
        "console:api-key-revoke": {"pk": demo["api_key"].pk},
        "console:webhook-detail": {"pk": demo["webhook"].pk},
        "console:webhook-edit": {"pk": demo["webhook"].pk},
        "console:webhook-secret-rotate": {"pk": demo["webhook"].pk},
        "console:webhook-remove": {"pk": demo["webhook"].pk},
        "console:webhook-test": {"pk": demo["webhook"].pk},
        "console:webhook-delivery-retry": {
            "pk": demo["webhook"].pk,
            "delivery_pk": demo["webhook_delivery"].pk,
        },
    }


def url_patterns():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or str(pattern.pattern).strip("/").split(".")[0]
                full_name = f"{namespace}:{name}" if namespace else name
                yield full_name, pattern

    return list(walk(get_resolver().url_patterns))


@pytest.fixture
def demo(db):
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    clinic = Clinic.objects.get(name="Demo Physio Clinic")
    other = Clinic.objects.get(name="Other Physio Clinic")
    pat = Patient.objects.get(clinic=clinic, user__email="patient@example.com")
    therapist = User.objects.get(email="therapist@example.com")
    plan = Plan.objects.filter(patient=pat, status="active").first()
    exercise = Exercise(
        clinic=clinic,
        name="Walk-secret stretch",
        slug="walk-secret-stretch",
        body_region="hip",
        kind="stretch",
        default_sets=1,
        default_repetitions=3,
        default_hold_seconds=30,
    )
    exercise.save()
    template = template_create_from_plan(
        plan=plan, name="Walk-secret template", created_by=therapist
    )
    session = session_log_record(
        patient=pat,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(minutes=30),
        entries=[EntryInput.as_prescribed(item) for item in plan.items.all()],
        client_token=uuid.uuid4(),
        recorded_by=pat.user,
        pain_before=3,
        pain_after=2,
        note="walk-secret session note",
    )
    message_send(
        patient=pat, author=therapist, body="walk-secret message", base_url="http://testserver/"
    )
    other_patient = Patient.objects.get(clinic=clinic, first_name="Jordan")
    patient_account_create(patient=other_patient, password=DEMO_PASSWORD)
    other_admin = user_create(
        clinic=other,
        email="admin@other.example.com",
        full_name="Oona Other-Admin",
        role=Role.CLINIC_ADMIN,
        password=DEMO_PASSWORD,
    )
    two_factor_turn_on(other_admin)  # clinic admins must, or every page sends them to set it up
    push_subscription, _created = subscription_save(
        user=therapist,
        endpoint="https://fcm.googleapis.com/fcm/send/walk-secret-device",
        p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        auth="tBHItJI5svbpez7KI4CCXg",
        device="Walk-secret device",
    )
    admin = User.objects.get(email="admin@example.com")
    webhook = webhook_add(
        clinic=clinic,
        added_by=admin,
        url="https://ehr.example.com/hooks/walk-secret",
        events=["session.logged"],
    )
    delivery = event_emit(clinic_id=clinic.pk, kind="session.logged", data={"patient": pat.pk})[0]
    return {
        "clinic": clinic,
        "api_key": ApiKey.objects.get(clinic=clinic),
        "webhook": webhook,
        "webhook_delivery": delivery,
        "patient": pat,
        "therapist": therapist,
        "plan": plan,
        "exercise": exercise,
        "template": template,
        "session": session,
        "pain_report": PainReport.objects.filter(patient=pat).first(),
        "push_subscription": push_subscription,
        "outbox_message": OutboxMessage.objects.create(
            key="walk:1",
            kind="invitation",
            clinic=clinic,
            recipient="walk-secret@example.com",
            status="failed",
        ),
        "personas": {
            "anonymous": None,
            "patient": pat.user,
            "other patient of the clinic": other_patient.user,
            "therapist of another clinic": User.objects.get(email="therapist@other.example.com"),
            "admin of another clinic": other_admin,
        },
    }


def own_therapist_name(user) -> str:
    record = Patient.objects.filter(user=user).select_related("primary_therapist").first()
    therapist = record.primary_therapist if record else None
    return therapist.full_name if therapist else ""


def test_every_url_pattern_as_every_persona(demo):
    assert ItemInput  # the demo plan's items are real prescriptions, made through services
    kwargs_for = route_kwargs(demo)
    untaught, failures = [], []
    for name, pattern in url_patterns():
        if name.startswith("api:") and name not in API_PAGES:
            continue  # called with keys, not sessions: the API's own walk below
        if pattern.pattern.converters and name not in kwargs_for:
            untaught.append(name)
            continue
        url = reverse(name, kwargs=kwargs_for.get(name)) if name != "favicon" else "/favicon.ico"
        has_demo_ids = (
            name in kwargs_for
            and "token" not in kwargs_for[name]
            and name != "exercises:library-export"
        )
        for persona, user in demo["personas"].items():
            client = Client(REMOTE_ADDR="192.0.2.10")
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            method = "GET"
            if response.status_code == 405:
                response = client.post(url, {})
                method = "POST"
            status = response.status_code
            where = f"{method} {url} ({name}) as {persona}: {status}"
            if status >= 500:
                failures.append(f"{where} — server error")
                continue
            if persona == "anonymous":
                if name in PUBLIC:
                    continue
                if status != 302 or not response.url.startswith(reverse("clinics:login")):
                    failures.append(f"{where} — expected a redirect to sign in")
                continue
            if persona == "patient" and name in PATIENT_OWN:
                continue  # Pat's own pages, with Pat's own records
            if has_demo_ids and status not in (403, 404):
                failures.append(f"{where} — another's record must answer 403 or 404")
                continue
            body = response.content.decode(errors="replace")
            # The navigation bar greets the signed-in person by name, and a patient's account
            # names their own therapist; neither is a leak.
            own_names = {getattr(user, "full_name", ""), own_therapist_name(user)}
            leaked = [m for m in MARKERS if m in body and m not in own_names]
            if leaked:
                failures.append(f"{where} — shows {', '.join(leaked)}")
    assert untaught == [], (
        "These URL patterns take arguments the isolation walk cannot fill yet; teach them in "
        f"route_kwargs(): {', '.join(untaught)}"
    )
    assert failures == [], "\n".join(failures)


# The API's pages that are for people, not for keys: its reference and schema are public.
API_PAGES = {"api:schema", "api:docs"}
# Which of the demo clinic's records each API route with an id is walked with.
API_RECORD = {
    "api:patient-detail": "patient",
    "api:plan-detail": "plan",
    "api:plan-revisions": "plan",
    "api:plan-status": "plan",
    "api:session-log-detail": "session",
    "api:pain-report-detail": "pain_report",
    "api:exercise-detail": "exercise",
    "api:exercise-archive": "exercise",
    "api:exercise-restore": "exercise",
    "api:template-detail": "template",
    "api:template-archive": "template",
    "api:template-restore": "template",
    "api:outcome-score-detail": "outcome",
    "api:outcome-score-correct": "outcome",
    "api:fhir-patient-everything": "patient",
}
API_METHODS = ("get", "post", "put", "patch", "delete")


def api_routes(demo):
    """Every route of the API with its address filled from the demo clinic's records, and the
    routes it cannot fill yet."""
    routes, untaught = [], []
    for name, pattern in url_patterns():
        if not name.startswith("api:") or name in API_PAGES or pattern.name is None:
            continue
        if "<" in str(pattern.pattern) or "(?P<pk>" in str(pattern.pattern):
            if name not in API_RECORD:
                untaught.append(name)
                continue
            routes.append((name, reverse(name, kwargs={"pk": demo[API_RECORD[name]].pk})))
        else:
            routes.append((name, reverse(name)))
    return routes, untaught


def api_client(raw: str | None) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.10")
    if raw:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def test_every_api_route_with_every_kind_of_caller(demo):
    clinic, patient = demo["clinic"], demo["patient"]
    demo["outcome"] = OutcomeEntry.objects.filter(patient=patient).first()
    other_admin = demo["personas"]["admin of another clinic"]
    _key, foreign = api_key_create(
        clinic=other_admin.clinic,
        name="Walk",
        scope=ApiScope.READ_WRITE,
        acts_as=other_admin,
        created_by=other_admin,
    )
    admin = User.objects.get(email="admin@example.com")
    _key, read_only = api_key_create(
        clinic=clinic,
        name="Walk read-only",
        scope=ApiScope.READ,
        acts_as=admin,
        created_by=admin,
    )
    routes, untaught = api_routes(demo)
    assert untaught == [], f"Teach API_RECORD the record for: {', '.join(untaught)}"
    # A write naming the demo clinic's patient, for the routes without an id.
    body = json.dumps({"patient": patient.pk, "score": 3, "kind": "red_flag", "event_key": "x"})
    failures = []
    for name, url in routes:
        for method in API_METHODS:
            call = (
                {"path": url}
                if method == "get"
                else {"path": url, "data": body, "content_type": "application/json"}
            )
            answers = {
                "no key": getattr(api_client(None), method)(**call),
                "another clinic's key": getattr(api_client(foreign), method)(**call),
                "a read-only key": getattr(api_client(read_only), method)(**call),
            }
            if answers["another clinic's key"].status_code == 405:
                continue  # no such operation (a signed-in call learns that; others get 401)
            where = f"{method.upper()} {url} ({name})"
            if answers["no key"].status_code != 401:
                failures.append(f"{where} without a key: {answers['no key'].status_code}")
            theirs = answers["another clinic's key"]
            if theirs.status_code >= 500 or (name in API_RECORD and theirs.status_code != 404):
                failures.append(f"{where} with another clinic's key: {theirs.status_code}")
            elif name not in API_RECORD and 200 <= theirs.status_code < 300 and method != "get":
                failures.append(f"{where} with another clinic's key wrote: {theirs.status_code}")
            leaked = [m for m in MARKERS if m in theirs.content.decode(errors="replace")]
            if leaked:
                failures.append(f"{where} with another clinic's key shows {', '.join(leaked)}")
            mine = answers["a read-only key"]
            if method != "get" and mine.status_code != 403:
                failures.append(f"{where} with a read-only key: {mine.status_code}")
    assert failures == [], "\n".join(failures)


def test_the_walk_covers_the_pages_that_hold_patient_data(demo):
    names = {name for name, _pattern in url_patterns()}
    for name in (
        "insights:patient-detail",
        "insights:patient-export",
        "patients:history",
        "prescriptions:plan-handout-pdf",
        "prescriptions:plan-detail",
    ):
        assert name in names
    assert PlanTemplate.objects.filter(name="Walk-secret template").exists()
    assert SessionLog.objects.filter(note="walk-secret session note").exists()
