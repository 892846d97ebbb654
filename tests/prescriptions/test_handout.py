import datetime
import io
import logging
import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from clinics.models import AccessLink, AuditAction, AuditEvent
from exercises.figures import figure_for
from patients.services import patient_discharge, patient_invitation_code_issue
from prescriptions.handouts import local_file
from prescriptions.services import ItemInput, plan_create
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.qr import assert_page_draws_qr_code_of

STOP_RULE = "If an exercise causes pain, stop straight away and contact your therapist"


def make_plan(patient, therapist, *, exercises=2, **fields):
    catalog = [
        ExerciseFactory(clinic=therapist.clinic, name=f"Handout stretch {n}")
        for n in range(1, exercises + 1)
    ]
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title=fields.pop("title", "Back spasm relief"),
        start_date=datetime.date(2026, 11, 2),
        times_per_day=2,
        items=[
            ItemInput.from_exercise(e, sets=1 + n % 3, hold_seconds=20 + n)
            for n, e in enumerate(catalog, 1)
        ],
        **fields,
    )


def handout_urls(plan):
    return [
        reverse("prescriptions:plan-handout", args=[plan.pk]),
        reverse("prescriptions:plan-handout-pdf", args=[plan.pk]),
    ]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def weasyprint_problems(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("weasyprint") and record.levelno >= logging.WARNING
    ]


def png_bytes(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_handout_page_shows_the_plan_each_exercise_and_the_stop_rule(
    client, therapist, patient
):
    clinic = therapist.clinic
    clinic.phone = "01632 960 123"
    clinic.save()
    exercise = ExerciseFactory(
        clinic=clinic,
        name="Knee-to-chest stretch",
        cautions="Osteoporosis: ask your therapist first.\nKeep your head on the floor.",
        steps=["Lie on your back, knees bent.", "Pull your knees gently to your chest."],
    )
    plan = plan_create(
        patient=patient,
        prescribed_by=therapist,
        title="Back spasm relief",
        notes="Little and often is best.",
        start_date=datetime.date(2026, 11, 2),
        end_date=datetime.date(2026, 12, 14),
        times_per_day=2,
        items=[
            ItemInput.from_exercise(exercise, repetitions=3, hold_seconds=30, note="Go easy."),
            ItemInput.from_exercise(ExerciseFactory(clinic=clinic, name="Prone press-up")),
        ],
    )
    client.force_login(therapist)
    response = client.get(reverse("prescriptions:plan-handout", args=[plan.pk]))
    assert response.status_code == 200
    page = response.text
    for text in [
        "Riverside Physio",
        "Back spasm relief",
        "Pat Ient",
        "2 November 2026",
        "14 December 2026",
        "Twice a day, every day",
        "Little and often is best.",
        "Go easy.",
        "Osteoporosis: ask your therapist first.",
        "Keep your head on the floor.",
        STOP_RULE,
        "01632 960 123",
    ]:
        assert text in page, text
    for item in plan.items.all():
        assert item.exercise.name in page
        assert item.dose_text in page
    assert page.index("Lie on your back, knees bent.") < page.index("Pull your knees gently")
    assert page.index("Knee-to-chest stretch") < page.index("Prone press-up")
    assert reverse("prescriptions:plan-handout-pdf", args=[plan.pk]) in page
    assert "Sign out" not in page  # a handout, not an app page with its navigation
    assert 'style="' not in page and "<script>" not in page


def test_the_pdf_holds_each_exercise_with_its_dose(client, therapist, patient, caplog):
    plan = make_plan(patient, therapist, exercises=3)
    client.force_login(therapist)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = client.get(reverse("prescriptions:plan-handout-pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="back-spasm-relief-ient.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    items = list(plan.items.all())
    assert len(items) == 3
    for item in items:
        assert item.exercise.name in text
        assert item.dose_text in text
    assert "Stop if it hurts" in text and "Back spasm relief" in text
    # The print and download controls belong to the browser page only.
    assert "Download PDF" not in text
    # The stylesheet came from the static files: a fetch over the network would have failed
    # ("testserver" does not resolve) and been logged.
    assert weasyprint_problems(caplog) == []


def test_pictures_come_from_storage_not_the_network(client, therapist, patient, caplog):
    plan = make_plan(patient, therapist, exercises=2)
    client.force_login(therapist)
    url = reverse("prescriptions:plan-handout-pdf", args=[plan.pk])
    without_pictures = client.get(url).content
    assert not any(page.images for page in PdfReader(io.BytesIO(without_pictures)).pages)

    exercise = plan.items.first().exercise
    exercise.image.save("knee-to-chest.png", ContentFile(png_bytes("teal")))
    therapist.clinic.logo.save("logo.png", ContentFile(png_bytes("navy")))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        with_pictures = client.get(url).content
    assert weasyprint_problems(caplog) == []
    # WeasyPrint shares one resources dictionary between pages, so collect unique images.
    images = {
        image.name: image.image.size
        for page in PdfReader(io.BytesIO(with_pictures)).pages
        for image in page.images
    }
    assert sorted(images.values()) == [(120, 80), (120, 80)]
    assert len(with_pictures) > len(without_pictures)

    page = client.get(reverse("prescriptions:plan-handout", args=[plan.pk])).text
    assert f'alt="Picture of the {exercise.name}"' in page


def test_the_fetcher_refuses_anything_but_this_sites_static_and_media_files(db):
    origin = "http://testserver"
    body, content_type = local_file(f"{origin}/static/css/handout.css", origin=origin)
    assert content_type == "text/css" and b"@page" in body
    for url in [
        "http://example.com/static/css/handout.css",
        "https://testserver/static/css/handout.css",
        "file:///etc/passwd",
        f"{origin}/admin/",
        f"{origin}/static/../config/settings/base.py",
        f"{origin}/media/../../etc/passwd",
        f"{origin}/static/",
    ]:
        with pytest.raises(ValueError):
            local_file(url, origin=origin)


def test_a_colleague_in_the_same_clinic_can_open_the_handout(client, therapist, colleague, patient):
    plan = make_plan(patient, therapist)
    client.force_login(colleague)
    for url in handout_urls(plan):
        assert client.get(url).status_code == 200


def test_the_clinic_admin_can_open_the_handout(client, therapist, clinic_admin, patient):
    plan = make_plan(patient, therapist)
    client.force_login(clinic_admin)
    for url in handout_urls(plan):
        assert client.get(url).status_code == 200


def test_another_clinics_plan_answers_404(client, therapist, stranger, patient):
    plan = make_plan(patient, therapist)
    client.force_login(stranger)
    for url in handout_urls(plan):
        assert client.get(url).status_code == 404
    client.force_login(therapist)
    missing = plan.pk + 1000
    assert client.get(reverse("prescriptions:plan-handout", args=[missing])).status_code == 404


def test_patients_cannot_open_the_handout_pages(client, therapist, patient):
    plan = make_plan(patient, therapist)
    client.force_login(patient.user)
    for url in handout_urls(plan):
        assert client.get(url).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, therapist, patient):
    plan = make_plan(patient, therapist)
    for url in handout_urls(plan):
        response = client.get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"]


def test_handout_queries_do_not_grow_with_the_number_of_exercises(
    client, therapist, patient, django_assert_max_num_queries
):
    small_plan = make_plan(patient, therapist, exercises=2)
    large_plan = make_plan(patient, therapist, exercises=8, title="Longer plan")
    client.force_login(therapist)
    # 6, the patient's sign-in and newest invitation (the way in), and the audit row
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("prescriptions:plan-handout", args=[small_plan.pk]))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("prescriptions:plan-handout", args=[large_plan.pk]))
    assert response.text.count('class="exercise"') == 8


# Pictures ------------------------------------------------------------------------------------

DRAWN = ["knee-to-chest-stretch", "chin-tuck"]  # starter exercises with drawn figures
FIGURES_CREDIT_LINE = (
    "Exercise figures © the Rehabit contributors, CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/)"
)


def drawn_plan(patient, therapist, *extra):
    exercises = [
        ExerciseFactory(clinic=None, slug=slug, name=slug.replace("-", " ").capitalize())
        for slug in DRAWN
    ]
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title="Back and neck",
        start_date=datetime.date(2026, 11, 2),
        items=[ItemInput.from_exercise(exercise) for exercise in [*exercises, *extra]],
    )


def figures_by_page(reader: PdfReader) -> list[list[str]]:
    """The text alternative of each figure in the tagged PDF's structure tree, page by page."""
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    found = [[] for _page in reader.pages]

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if node.get("/S") == "/Figure":
            found[pages[node.raw_get("/Pg").idnum]].append(str(node.get("/Alt", "")))
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def operators(page, *names: bytes) -> int:
    """How many times the page's content stream uses these operators."""
    return sum(
        1
        for _operands, operator in ContentStream(page.get_contents(), page.pdf).operations
        if operator in names
    )


def body_parts(drawing) -> int:
    return sum(1 for step in drawing.body if step.kind == "shape")


def test_the_pdf_draws_each_exercises_start_and_end_as_vectors(client, therapist, patient):
    plan = drawn_plan(patient, therapist)
    client.force_login(therapist)
    pdf = client.get(reverse("prescriptions:plan-handout-pdf", args=[plan.pk])).content
    reader = PdfReader(io.BytesIO(pdf))
    by_page = figures_by_page(reader)
    pairs = [figure_for(slug).pair for slug in DRAWN]
    # Each exercise's start and end pose, in order, each with its text alternative.
    assert [alt for page in by_page for alt in page] == [
        drawing.title for pair in pairs for drawing in pair
    ]
    titles = {drawing.title: drawing for pair in pairs for drawing in pair}
    for page, alts in zip(reader.pages, by_page, strict=True):
        content = page.get_contents().get_data()
        assert content.count(b"/Figure") == len(alts)
        # Each body part is a path filled and outlined: drawn as vectors, not a bitmap.
        assert operators(page, b"B", b"B*") >= sum(body_parts(titles[alt]) for alt in alts)
        assert not page.images
    assert sum(operators(page, b"B", b"B*") for page in reader.pages) >= 40
    assert FIGURES_CREDIT_LINE in pdf_text(pdf)


def test_the_handout_credits_an_uploaded_cc_by_picture(client, therapist, patient, caplog):
    uploaded = ExerciseFactory(
        clinic=therapist.clinic,
        name="Knee hug",
        image_title="Knee hug on a mat",
        image_author="Ann Author",
        image_licence="cc-by-4.0",
        image_source="https://example.org/knee-hug",
    )
    uploaded.image.save("knee-hug.png", ContentFile(png_bytes("teal")))
    own = ExerciseFactory(clinic=therapist.clinic, image_licence="own", image_author="Us")
    own.image.save("own.png", ContentFile(png_bytes("navy")))
    plan = drawn_plan(patient, therapist, uploaded, own)
    client.force_login(therapist)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = client.get(reverse("prescriptions:plan-handout-pdf", args=[plan.pk])).content
    assert weasyprint_problems(caplog) == []
    text = pdf_text(pdf)
    credits = text[text.index("Picture credits") :]
    assert FIGURES_CREDIT_LINE in credits
    assert (
        "“Knee hug on a mat” by Ann Author, CC BY 4.0 "
        "(https://creativecommons.org/licenses/by/4.0/), https://example.org/knee-hug"
    ) in credits
    assert "Us" not in credits  # our own photo asks for no credit
    assert credits.index("Exercise figures") < credits.index("Knee hug on a mat")
    images = {image.name for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images}
    assert len(images) == 2

    page = client.get(reverse("prescriptions:plan-handout", args=[plan.pk])).text
    assert "<h2>Picture credits</h2>" in page
    assert page.count("Ann Author") == 1


def test_a_handout_without_pictures_that_ask_for_credit_has_no_credits(client, therapist, patient):
    plan = make_plan(patient, therapist)
    client.force_login(therapist)
    page = client.get(reverse("prescriptions:plan-handout", args=[plan.pk])).text
    assert "Picture credits" not in page and "<svg" not in page


def test_pictures_add_no_queries_to_the_handout(
    client, therapist, patient, django_assert_max_num_queries
):
    plan = drawn_plan(patient, therapist)
    client.force_login(therapist)
    with django_assert_max_num_queries(8):  # as many as a handout without pictures
        page = client.get(reverse("prescriptions:plan-handout", args=[plan.pk])).text
    assert page.count("<svg") == 4


# The way in: after a save, the next step; on the handout, a sign-up code and its QR code --------


@pytest.fixture
def newcomer(therapist):
    """A patient with an email address and no sign-in yet."""
    return PatientFactory(
        primary_therapist=therapist, first_name="Nora", last_name="Nolan", email="nora@example.com"
    )


def with_code_url(plan):
    return reverse("patients:plan-handout-with-code", args=[plan.patient_id, plan.pk])


def plan_url(plan, *, saved=False):
    url = reverse("prescriptions:plan-detail", args=[plan.pk])
    return f"{url}?saved=1" if saved else url


def handover_text(page: str) -> str:
    section = re.search(r'<section class="handover.*?</section>', page, re.S)
    assert section, "the plan page has no hand-over section"
    return " ".join(re.sub(r"<[^>]+>", " ", section[0]).split())


def printed_url(page: str) -> str:
    return re.search(r'<p class="way-in-url">([^<]+)</p>', page)[1]


def test_after_a_save_the_next_step_comes_first_and_later_it_waits_lower_down(
    client, therapist, newcomer
):
    plan = make_plan(newcomer, therapist)
    client.force_login(therapist)

    saved = client.get(plan_url(plan, saved=True)).text
    later = client.get(plan_url(plan)).text

    assert "Plan saved. Next: get it to Nora" in saved
    assert 'class="handover handover-first' in saved
    assert saved.index('class="handover') < saved.index('id="exercises-title"')
    assert "Getting the plan to Nora" in later
    assert later.index('class="handover') > later.index('id="exercises-title"')


def test_a_patient_not_invited_yet_is_offered_an_email_invitation_and_a_code(
    client, therapist, newcomer
):
    plan = make_plan(newcomer, therapist)
    client.force_login(therapist)

    text = handover_text(client.get(plan_url(plan, saved=True)).text)

    assert "Nora has no Rehabit sign-in yet." in text
    assert "Email an invitation" in text and "Print with a sign-up code" in text
    assert "The invitation goes to nora@example.com." in text


def test_an_invitation_from_the_plan_page_is_emailed_and_the_page_says_it_is_pending(
    client, therapist, newcomer
):
    plan = make_plan(newcomer, therapist)
    client.force_login(therapist)

    response = client.post(
        reverse("patients:patient-invite", args=[newcomer.pk]), {"plan": plan.pk}
    )

    assert response.url == plan_url(plan)
    (message,) = mail.outbox
    assert message.to == ["nora@example.com"]
    assert "Back spasm relief" not in message.body and "Handout stretch" not in message.body
    page = client.get(response.url).text
    assert "Invitation sent to nora@example.com." in page
    today = timezone.localdate().strftime("%-d %b %Y")
    assert f"Nora was invited on {today} and has not set up their sign-in yet." in (
        handover_text(page)
    )
    assert "Resend the invitation" in handover_text(page)


def test_another_patients_plan_cannot_steer_where_the_invitation_answer_goes(
    client, therapist, newcomer, patient
):
    others = make_plan(patient, therapist)
    client.force_login(therapist)

    response = client.post(
        reverse("patients:patient-invite", args=[newcomer.pk]), {"plan": others.pk}
    )

    assert response.url == reverse("insights:patient-detail", args=[newcomer.pk])


def test_another_clinics_plan_named_with_an_invitation_answers_404_and_sends_nothing(
    client, therapist, stranger, newcomer
):
    strangers_patient = PatientFactory(primary_therapist=stranger)
    strangers_plan = make_plan(strangers_patient, stranger)
    client.force_login(therapist)

    response = client.post(
        reverse("patients:patient-invite", args=[newcomer.pk]), {"plan": strangers_plan.pk}
    )

    assert response.status_code == 404
    assert mail.outbox == []


def test_an_invitation_that_ran_out_is_offered_again(client, therapist, newcomer):
    plan = make_plan(newcomer, therapist)
    patient_invitation_code_issue(patient=newcomer, invited_by=therapist)
    AccessLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(therapist)

    text = handover_text(client.get(plan_url(plan)).text)

    assert "but the invitation ran out on" in text
    assert "Send a new invitation" in text


def test_a_patient_who_signs_in_has_nothing_to_invite_only_the_handout(client, therapist, patient):
    plan = make_plan(patient, therapist)
    client.force_login(therapist)

    text = handover_text(client.get(plan_url(plan, saved=True)).text)

    assert "already signs in to Rehabit, so they will see this plan on their Today page" in text
    assert "Print the handout" in text
    assert "invitation" not in text.lower().replace("nothing to invite", "")
    assert "sign-up code" not in text


def test_a_patient_without_email_is_handed_the_paper_and_asked_for_an_email(client, therapist):
    paper_only = PatientFactory(primary_therapist=therapist, first_name="Ivy", email="")
    plan = make_plan(paper_only, therapist)
    client.force_login(therapist)

    text = handover_text(client.get(plan_url(plan, saved=True)).text)

    assert "Ivy has no email on record, so the printed handout is their way" in text
    assert "Add their email" in text and "Print the handout" in text
    assert "sign-up code" not in text
    response = client.post(with_code_url(plan), follow=True)
    assert "Add the patient&#x27;s email address before inviting them." in response.text
    assert not AccessLink.objects.exists()


def test_a_discharged_patient_is_offered_only_the_handout(client, therapist, newcomer):
    plan = make_plan(newcomer, therapist)
    patient_discharge(patient=newcomer, discharged_by=therapist)
    client.force_login(therapist)

    text = handover_text(client.get(plan_url(plan)).text)

    assert "Nora is discharged." in text
    assert "Email an invitation" not in text and "sign-up code" not in text


def test_the_plain_handout_makes_no_invitation_however_often_it_is_opened(
    client, therapist, newcomer
):
    plan = make_plan(newcomer, therapist)
    client.force_login(therapist)

    for _ in range(2):
        page = client.get(reverse("prescriptions:plan-handout", args=[plan.pk])).text
        assert "way-in" not in page.split("<main", 1)[1]
        assert "Add a sign-up code" in page
    client.get(reverse("prescriptions:plan-handout-pdf", args=[plan.pk]))
    assert not AccessLink.objects.exists()
    assert client.get(with_code_url(plan)).status_code == 405


def test_printing_with_a_code_puts_a_working_short_address_and_its_qr_code_on_the_handout(
    client, therapist, newcomer
):
    plan = make_plan(newcomer, therapist)
    client.force_login(therapist)

    response = client.post(with_code_url(plan), {"format": "page"})

    page = response.text
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    url = printed_url(page)
    code = url.rsplit("/j/", 1)[1]
    assert url == f"http://testserver/j/{code}" and len(code) == 10
    assert "Follow this plan on your phone" in page
    assert "Download PDF" not in page.split("<main", 1)[0]  # another code would replace this one
    # The QR code's dark modules are those of the short address.
    assert_page_draws_qr_code_of(page, url)
    # It opens the set-up page for this patient.
    client.logout()
    shown = client.get(f"/j/{code}")
    assert shown.status_code == 200 and "nora@example.com" in shown.text
    actions = list(
        AuditEvent.objects.filter(patient=newcomer).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == [AuditAction.PATIENT_INVITED, AuditAction.HANDOUT_VIEWED]


def test_the_pdf_with_a_code_carries_the_short_address(client, therapist, newcomer, caplog):
    plan = make_plan(newcomer, therapist)
    client.force_login(therapist)

    response = client.post(with_code_url(plan), {"format": "pdf"})

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert re.search(r"http://testserver/j/[2-9A-HJKMNP-Z]{10}", text)
    assert "Follow this plan on your phone" in text
    assert weasyprint_problems(caplog) == []
    assert AuditEvent.objects.filter(action=AuditAction.HANDOUT_DOWNLOADED).count() == 1


def test_a_patient_who_signs_in_gets_the_sign_in_address_on_the_handout_and_no_code(
    client, therapist, patient
):
    plan = make_plan(patient, therapist)
    client.force_login(therapist)

    plain = client.get(reverse("prescriptions:plan-handout", args=[plan.pk])).text
    posted = client.post(with_code_url(plan), {"format": "page"}).text

    for page in (plain, posted):
        assert "Sign in at" in page and "http://testserver/sign-in/" in page
        assert patient.user.email in page
        assert "/j/" not in page
    assert "Add a sign-up code" not in plain
    assert not AccessLink.objects.exists()


def test_printing_with_a_code_answers_404_for_another_clinic_or_a_mismatched_plan(
    client, therapist, stranger, newcomer, patient
):
    plan = make_plan(newcomer, therapist)
    others = make_plan(patient, therapist, title="Another plan")
    client.force_login(stranger)
    assert client.post(with_code_url(plan)).status_code == 404
    client.force_login(therapist)
    mismatched = reverse("patients:plan-handout-with-code", args=[newcomer.pk, others.pk])
    assert client.post(mismatched).status_code == 404
    assert not AccessLink.objects.exists()


def test_the_plan_page_queries_do_not_grow_with_exercises_whatever_the_invitation(
    client, therapist, newcomer, django_assert_max_num_queries
):
    small = make_plan(newcomer, therapist, exercises=1)
    client.force_login(therapist)
    with django_assert_max_num_queries(12) as measured:
        client.get(plan_url(small, saved=True))
    patient_invitation_code_issue(patient=newcomer, invited_by=therapist)
    large = make_plan(newcomer, therapist, exercises=8, title="Longer plan")
    with django_assert_max_num_queries(len(measured.captured_queries) + 1):  # the invitation
        page = client.get(plan_url(large, saved=True)).text
    assert page.count('class="list-group-item plan-exercise"') == 8
    assert "Resend the invitation" in page
