"""Every URL of the project, as the demo clinic's staff and as its patient: a response that
shows a patient's health information or contact details has written an audit row naming that
patient, and no response to a signed-in person may be kept by a browser or a cache.

Like the isolation walk, the URL patterns come from the resolver, so a page added tomorrow is
walked tomorrow; its ids come from the isolation walk's route_kwargs (a pattern it cannot fill
fails there). Each page is asked for as a plain GET, as an htmx request (HX-Request), with the
GET variants pages link to (VARIANTS), and, where GET is refused, as an empty POST.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.models import AuditEvent, User
from patients.services import pain_report_record, patient_update
from prescriptions.models import PlanTemplate
from tests.test_isolation_walk import API_PAGES, demo, route_kwargs, url_patterns  # noqa: F401

BIRTH_DATE = datetime.date(1951, 3, 17)
# What only the marked patient's record holds, each as the pages may print it.
NAME_MARKERS = ["Quintessa", "Marrowby"]
RECORD_MARKERS = [
    "Zygomatic walk-marker strain",  # condition
    "+1 555 0142 9876",  # phone
    "quintessa.marrowby@example.com",  # email
    "1951-03-17",
    "17 Mar 1951",
    "17 March 1951",
    "March 17, 1951",
    "walk-secret session note",
    "walk-marker pain note",
]
# Pages that print the patient's name but nothing of their record, and are not audited as a
# look at it: the audit trail names the patient of each row and offers every patient as a
# filter; recording a row per name there would grow the trail with every look at it.
NAME_ONLY = {"console:audit-trail"}


def variants(marked, therapist) -> dict[str, list[dict]]:
    """GET variants of pages, as their links and forms send them."""
    template = PlanTemplate.objects.filter(clinic=marked.clinic).first()
    return {
        "insights:caseload": [
            {"q": "Marrowby"},
            {"scope": "all", "sort": "-alerts"},
            {"needs_attention": "on", "scope": "all"},
            {"status": "", "scope": "all", "page": "1"},
        ],
        "insights:patient-detail": [
            {"days": "365"},
            {"before": timezone.now().isoformat()},
        ],
        "patients:plan-create": [{"template": str(template.pk)}] if template else [],
        "prescriptions:exercise-search": [{"q": "knee"}],
        "console:audit-trail": [{"patient": str(marked.pk)}],
    }


@pytest.fixture
def marked(demo):  # noqa: F811
    therapist = demo["therapist"]
    patient = patient_update(
        patient=demo["patient"],
        updated_by=therapist,
        first_name="Quintessa",
        last_name="Marrowby",
        condition="Zygomatic walk-marker strain",
        phone="+1 555 0142 9876",
        email="quintessa.marrowby@example.com",
        date_of_birth=BIRTH_DATE,
    )
    pain_report_record(
        patient=patient,
        score=8,
        recorded_by=patient.user,
        note="walk-marker pain note",
        red_flag_codes=["saddle_numbness"],  # on the caseload's emergency banner too
    )
    return patient


def requests_for(name, pattern, kwargs_for, extra):
    if name == "favicon":
        return [("/favicon.ico", {})]
    if name.startswith("admin"):
        return []
    if name.startswith("api:") and name not in API_PAGES:
        return []  # called with keys, not sessions: tests/api audits each resource's reads
    kwargs = kwargs_for.get(name)
    if kwargs is None and set(pattern.pattern.converters) == {"token"}:
        kwargs = {"token": "not-a-real-token"}
    elif kwargs is None and pattern.pattern.converters:
        return []  # the isolation walk fails until it is taught this pattern's ids
    url = reverse(name, kwargs=kwargs)
    return [(url, {}), *((url, params) for params in extra.get(name, []))]


def ask(user, url, params, *, htmx=False):
    client = Client(REMOTE_ADDR="192.0.2.20")
    client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, params, headers=headers)
    method = "GET"
    if response.status_code == 405:
        response = client.post(url, {}, headers=headers)
        method = "POST"
    return method, response


def test_every_response_that_shows_a_patients_record_names_them_in_the_audit_trail(
    demo,  # noqa: F811
    marked,
):
    staff = {
        "therapist": demo["therapist"],
        "clinic admin": User.objects.get(email="admin@example.com"),
    }
    kwargs_for = route_kwargs(demo)
    extra = variants(marked, demo["therapist"])
    patterns = url_patterns()
    failures, seen_with_record = [], set()
    for name, pattern in patterns:
        for url, params in requests_for(name, pattern, kwargs_for, extra):
            for persona, user in staff.items():
                for htmx in (False, True):
                    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True)
                    before = newest.first() or 0
                    method, response = ask(user, url, params, htmx=htmx)
                    body = response.content.decode(errors="replace")
                    shown = [m for m in RECORD_MARKERS if m in body]
                    if name not in NAME_ONLY:
                        shown += [m for m in NAME_MARKERS if m in body]
                    if not shown:
                        continue
                    seen_with_record.add(name)
                    named = AuditEvent.objects.filter(
                        pk__gt=before, patient=marked, actor=user
                    ).exists()
                    if not named:
                        failures.append(
                            f"{method} {url} {params or ''}{' (htmx)' if htmx else ''} "
                            f"({name}) as {persona}: shows {', '.join(shown)} "
                            "and wrote no audit row naming the patient"
                        )
    assert failures == [], "\n".join(failures)
    # The walk reached the pages that hold the record; a walk that saw nothing proves nothing.
    assert {
        "insights:caseload",
        "insights:patient-detail",
        "patients:patient-edit",
        "patients:plan-create",
        "prescriptions:plan-edit",
        "prescriptions:plan-detail",
        "messaging:patient-messages",
    } <= seen_with_record


def test_no_response_to_a_signed_in_person_may_be_stored(demo, marked):  # noqa: F811
    people = {
        "therapist": demo["therapist"],
        "clinic admin": User.objects.get(email="admin@example.com"),
        "patient": marked.user,
    }
    kwargs_for = route_kwargs(demo)
    extra = variants(marked, demo["therapist"])
    failures, statuses = [], set()
    urls = [
        request
        for name, pattern in url_patterns()
        for request in requests_for(name, pattern, kwargs_for, extra)
    ]
    urls += [(reverse("admin:index"), {}), ("/no-such-page/", {})]
    for url, params in urls:
        for persona, user in people.items():
            method, response = ask(user, url, params)
            statuses.add(response.status_code)
            directives = {
                part.strip() for part in response.get("Cache-Control", "").lower().split(",")
            }
            if not {"no-store", "private"} <= directives:
                failures.append(
                    f"{method} {url} as {persona}: {response.status_code}, "
                    f"Cache-Control: {response.get('Cache-Control', '(none)')}"
                )
    assert failures == [], "\n".join(failures)
    assert {200, 302, 403, 404} <= statuses  # pages, redirects and refusals alike
