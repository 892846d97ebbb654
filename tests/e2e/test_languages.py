"""Rehabit in the patient's language: the demo's Spanish-speaking patient runs a session and
reports pain in Spanish on a phone, and a therapist downloads a French handout for a patient
who reads French."""

import io
import re

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from exercises.models import Exercise
from patients.models import PainReport, Patient, SessionLog
from prescriptions.models import Plan, PlanStatus

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
LUCIA = "paciente@example.com"


def choose_pain(page: Page, question: str, score: int) -> None:
    page.get_by_role("group", name=question).get_by_text(str(score), exact=True).click()


def expect_spanish(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_a_spanish_speaking_patient_runs_a_session_and_reports_pain_in_spanish(
    new_context, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    page = new_context(viewport=PHONE, is_mobile=True).new_page()
    before = SessionLog.objects.filter(patient__user__email=LUCIA).count()
    # The sign-in page follows the browser (English here); once signed in, Lucía's own choice.
    sign_in(page, LUCIA)
    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    expect_spanish(page)
    expect(page).to_have_title(re.compile(r"^Hoy"))
    expect(page.get_by_role("heading", name="Hola, Lucía", level=1)).to_be_visible()
    # The date as Spanish writes it: "lunes, 7 de diciembre".
    expect(page.get_by_text(re.compile(r"^[a-záéíóú]+, \d{1,2} de [a-z]+$"))).to_be_visible()
    assert_accessible(page, context="Hoy (Today) in Spanish at 375×812")

    page.get_by_role(
        "link", name=re.compile("Iniciar la sesión de hoy|Registrar una sesión adicional")
    ).first.click()
    expect(page.get_by_role("heading", name="Antes de empezar")).to_be_visible()
    expect(page.get_by_text("Deténgase si le duele y avise a su terapeuta.")).to_be_visible()
    expect_spanish(page)
    assert_accessible(page, context="session: before you start, in Spanish")

    choose_pain(page, "¿Cuánto le duele ahora, antes de empezar?", 4)
    page.get_by_role("button", name="Siguiente", exact=True).click()
    # The exercises by their Spanish names, from the starter catalog's translations.
    first = page.get_by_role("heading", name="Ejercicio 1 de 2: Estiramiento de rodillas al pecho")
    expect(first).to_be_visible()
    # The dose read back in Spanish, and the steps behind "Cómo hacerlo" (how to do it).
    expect(page.get_by_text(re.compile(r"^Mantenga 30 segundos, 3 veces")).first).to_be_visible()
    page.get_by_text("Cómo hacerlo").first.click()
    expect(page.get_by_text(re.compile(r"^Acuéstese boca arriba")).first).to_be_visible()
    assert_accessible(page, context="player: ready, in Spanish")
    page.get_by_role("button", name="Iniciar Estiramiento de rodillas al pecho").click()
    expect(page.get_by_text("Todos los ejercicios hechos")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("✓ Extensión de espalda boca abajo: hecho")).to_be_visible()
    assert_accessible(page, context="player: all done, in Spanish")
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_role("heading", name="Después de la sesión")).to_be_visible()
    choose_pain(page, "¿Cuánto le duele ahora, después de la sesión?", 3)
    page.get_by_text("Adecuado").click()
    assert_accessible(page, context="session: after, in Spanish")
    page.get_by_role("button", name="Guardar mi sesión").click()

    expect(page.get_by_role("heading", name="Muy bien, su sesión se guardó")).to_be_visible()
    expect_spanish(page)
    assert_accessible(page, context="session saved, in Spanish")
    sessions = SessionLog.objects.filter(patient__user__email=LUCIA)
    assert sessions.count() == before + 1
    session = sessions.order_by("-created_at").first()
    assert (session.pain_before, session.pain_after) == (4, 3)

    page.get_by_role("button", name="Mostrar menú").click()
    page.get_by_role("navigation").get_by_role("link", name="Informar dolor").click()
    expect(page.get_by_role("heading", name="¿Cómo está su dolor?", level=1)).to_be_visible()
    expect_spanish(page)
    assert_accessible(page, context="pain report form in Spanish at 375×812")
    scale = page.get_by_role("group", name=re.compile(r"^¿Cuánto le duele"))
    scale.get_by_label("5", exact=True).check()
    page.get_by_label("Dolor que empeora por la noche").check()
    page.get_by_role("button", name="Enviar mi reporte de dolor").click()

    expect(
        page.get_by_role("heading", name="Comuníquese con un médico hoy", level=1)
    ).to_be_visible()
    expect(page.get_by_text("Le avisamos a su terapeuta.")).to_be_visible()
    expect_spanish(page)
    assert_accessible(page, context="urgent advice after a pain report, in Spanish")
    report = PainReport.objects.filter(patient__user__email=LUCIA).latest("recorded_at")
    assert (report.score, report.red_flags) == (5, ["night_pain"])

    # Nothing on the way was left in English: the page's own words are all Spanish.
    body = page.locator("main").inner_text()
    for english in ("Report pain", "Well done", "your therapist", "Save my session"):
        assert english not in body


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_therapist_downloads_a_french_handout_for_a_patient_who_reads_french(
    page: Page, live_server, demo_data, sign_in
):
    riley = Patient.objects.get(email="riley.chen@example.com")
    sign_in(page, "therapist@example.com")
    page.goto(live_server.url + reverse("patients:patient-edit", args=[riley.pk]))
    page.get_by_label("Language").select_option(label="Français")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Riley Chen", level=1)).to_be_visible()

    plan = Plan.objects.get(patient=riley, status=PlanStatus.ACTIVE)
    page.goto(live_server.url + reverse("prescriptions:plan-detail", args=[plan.pk]))
    download_link = page.get_by_role("link", name="Download PDF (Français)")
    expect(download_link).to_be_visible()
    assert_accessible(page, context="plan page offering the French handout")
    with page.expect_download() as download:
        download_link.click()
    text = pdf_text(download.value.path().read_bytes())

    knee = Exercise.objects.get(slug="knee-to-chest-stretch", clinic=None)
    with translation.override("fr"):
        steps = [step.text for step in knee.steps.order_by("position")]
        doses = [item.dose_text for item in plan.items.all()]
        names = [item.exercise.name for item in plan.items.all()]
    assert "Étirement genoux à la poitrine" in names
    assert steps[0].startswith("Allongez-vous sur le dos")
    for words in [*names, *steps, *doses]:
        assert " ".join(words.split()) in text, words
    assert "Lie on your back" not in text
