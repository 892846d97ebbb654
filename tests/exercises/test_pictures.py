"""Exercise pictures wherever an exercise appears: which picture an exercise shows (a clinic's
upload beats the catalog's drawing), whose it is and when the credit is printed, the library
form's credit fields, and the pages that show the pictures without asking the database more."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from PIL import Image

from exercises.models import Exercise, PictureLicence
from exercises.pictures import FIGURES_CREDIT, PictureCredit, credits_to_show, picture_for
from exercises.services import ExerciseInput, exercise_create
from prescriptions.catalog import starter_catalog_load
from prescriptions.services import template_create_from_plan
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.prescriptions.factories import prescribe

SVG = "{http://www.w3.org/2000/svg}"
DRAWN = "knee-to-chest-stretch"  # a starter exercise with poses
STEPS = ["Lie on your back.", "Hug your knees."]


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("knee hug.png", buffer.getvalue(), content_type="image/png")


def upload(admin, *, name="Knee hug", **credit) -> Exercise:
    """A clinic exercise with an uploaded picture, saved through the service."""
    data = ExerciseInput(name=name, body_region="hip", kind="stretch", steps=STEPS, **credit)
    return exercise_create(clinic=admin.clinic, created_by=admin, data=data, image=png())


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def render(source: str, **context) -> str:
    return Template("{% load exercise_pictures %}" + source).render(Context(context))


# Which picture -----------------------------------------------------------------------------


def test_a_starter_exercise_shows_its_drawing_credited_to_the_drawings(db):
    exercise = ExerciseFactory(clinic=None, slug=DRAWN, name="Knee-to-chest stretch")
    picture = picture_for(exercise)
    assert picture.figure.slug == DRAWN and picture.image_url == ""
    assert picture.credit == FIGURES_CREDIT and picture.credit.must_be_shown
    assert picture.alt == picture.figure.motion.title


def test_an_uploaded_picture_takes_the_drawings_place(db):
    exercise = ExerciseFactory(
        clinic=None,
        slug=DRAWN,
        image="exercises/knee.png",
        image_title="Knee hug",
        image_author="Ann Author",
        image_licence=PictureLicence.CC_BY,
    )
    picture = picture_for(exercise)
    assert picture.figure is None and picture.image_url.endswith("exercises/knee.png")
    assert picture.credit == PictureCredit(
        title="Knee hug", author="Ann Author", source="", licence=PictureLicence.CC_BY
    )
    assert picture.alt == f"Picture of the {exercise.name}"


def test_an_upload_nobody_said_the_licence_of_has_no_credit(db):
    exercise = ExerciseFactory(image="exercises/old.png", image_licence="")
    assert picture_for(exercise).credit is None


def test_no_picture_without_an_upload_or_poses(db):
    # A clinic's own exercise gets no drawing even when its slug is a starter exercise's.
    assert picture_for(ExerciseFactory(clinic=None, slug="no-poses-here")) is None
    assert picture_for(ExerciseFactory(slug=DRAWN)) is None


# Credits -----------------------------------------------------------------------------------


def test_credits_list_the_drawings_first_then_each_credit_once_that_must_be_shown(db):
    def uploaded(licence, author="Ann Author", title="Knee hug"):
        return ExerciseFactory(
            image="exercises/x.png",
            image_title=title,
            image_author=author,
            image_licence=licence,
        )

    by_ann = uploaded(PictureLicence.CC_BY)
    shared_alike = uploaded(PictureLicence.CC_BY_SA, author="Bo Builder", title="Bridge")
    exercises = [
        by_ann,
        uploaded(PictureLicence.OWN),
        ExerciseFactory(clinic=None, slug=DRAWN),
        uploaded(PictureLicence.CC_BY),  # the same credit as by_ann's
        uploaded(PictureLicence.CC0, author=""),
        shared_alike,
        ExerciseFactory(clinic=None, slug="prone-press-up"),
        uploaded(""),
        ExerciseFactory(),
    ]
    assert credits_to_show(exercises) == [
        FIGURES_CREDIT,
        picture_for(by_ann).credit,
        picture_for(shared_alike).credit,
    ]
    assert credits_to_show([uploaded(PictureLicence.OWN), ExerciseFactory()]) == []


def test_a_credit_needing_an_author_is_refused_without_one(db):
    for licence in (PictureLicence.CC_BY, PictureLicence.CC_BY_SA, PictureLicence.PERMISSION):
        exercise = ExerciseFactory.build(image_licence=licence, image_author="  ")
        with pytest.raises(ValidationError) as refused:
            exercise.clean()
        assert "Name the picture's author" in refused.value.message_dict["image_author"][0]
    for licence in (PictureLicence.OWN, PictureLicence.CC0, ""):
        ExerciseFactory.build(image_licence=licence, image_author="").clean()


# The service -------------------------------------------------------------------------------


def test_a_new_upload_must_say_whose_picture_it_is(clinic_admin):
    with pytest.raises(ValidationError) as refused:
        upload(clinic_admin)
    assert "Say whose picture this is" in refused.value.message_dict["image_licence"][0]
    assert not Exercise.objects.exists()
    exercise = upload(clinic_admin, image_licence=PictureLicence.OWN)
    assert exercise.image_licence == "own"


def test_an_old_picture_without_a_licence_is_kept_as_it_is_when_the_exercise_is_edited(
    client, clinic_admin
):
    exercise = ExerciseFactory(clinic=clinic_admin.clinic, image="exercises/old.png")
    client.force_login(clinic_admin)
    url = reverse("exercises:exercise-edit", args=[exercise.pk])
    page = client.get(url)
    assert page.context["form"]["image_licence"].value() == ""  # left for the admin to say
    data = form_data(exercise, name="Renamed", image_licence="")
    response = client.post(url, data)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.name == "Renamed" and exercise.image.name == "exercises/old.png"
    assert exercise.image_licence == ""


# The form ----------------------------------------------------------------------------------


def form_data(exercise=None, **overrides) -> dict:
    data = {
        "name": exercise.name if exercise else "Knee hug",
        "summary": "",
        "body_region": "hip",
        "kind": "stretch",
        "equipment": "",
        "contraindications": "",
        "cautions": "",
        "default_sets": "1",
        "default_repetitions": "3",
        "default_hold_seconds": "30",
        "default_rest_seconds": "10",
        "video_url": "",
        "image_licence": "own",
        "image_title": "",
        "image_author": "",
        "image_source": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "2",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "21",
        "steps-0-text": STEPS[0],
        "steps-1-text": STEPS[1],
        "action": "save",
    }
    data.update(overrides)
    return data


def test_the_form_asks_whose_picture_it_is_with_our_own_photo_chosen(client, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:exercise-add")).text
    assert "Picture credit" in page and "Whose picture is it?" in page
    for label in ("Our own photo", "CC BY 4.0", "CC BY-SA 4.0", "CC0 (public domain)"):
        assert label in page
    assert re.search(r'name="image_licence" value="own"[^>]* checked', page)
    assert page.count('name="image_licence"') == len(PictureLicence.values)
    for name in ("image_title", "image_author", "image_source"):
        assert f'name="{name}"' in page


def test_a_cc_by_picture_without_an_author_is_refused_keeping_what_was_typed(client, clinic_admin):
    client.force_login(clinic_admin)
    data = form_data(
        image=png(),
        image_licence="cc-by-4.0",
        image_title="Knee hug on a mat",
        image_source="https://commons.wikimedia.org/wiki/File:Knee_hug.jpg",
    )
    response = client.post(reverse("exercises:exercise-add"), data)
    assert response.status_code == 200 and not Exercise.objects.exists()
    page = response.text.replace("&#x27;", "'")
    assert (
        "Name the picture's author: its licence (CC BY 4.0) asks for them to be credited "
        "wherever it is shown."
    ) in page
    assert 'value="Knee hug on a mat"' in page
    assert 'value="https://commons.wikimedia.org/wiki/File:Knee_hug.jpg"' in page
    assert re.search(r'name="image_licence" value="cc-by-4.0"[^>]* checked', page)
    assert "Choose it again before saving." in page

    data.update(image=png(), image_author="Ann Author")
    assert client.post(reverse("exercises:exercise-add"), data).status_code == 302
    exercise = Exercise.objects.get()
    assert (exercise.image_licence, exercise.image_author) == ("cc-by-4.0", "Ann Author")


def test_removing_the_picture_clears_its_credit(client, clinic_admin):
    exercise = upload(
        clinic_admin, image_licence="cc-by-4.0", image_author="Ann Author", image_title="Hug"
    )
    client.force_login(clinic_admin)
    data = form_data(
        exercise,
        remove_image="on",
        image_licence="cc-by-4.0",
        image_author="Ann Author",
        image_title="Hug",
    )
    response = client.post(reverse("exercises:exercise-edit", args=[exercise.pk]), data)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert not exercise.image
    assert [exercise.image_title, exercise.image_author, exercise.image_licence] == ["", "", ""]
    # A new exercise without a picture keeps no credit either.
    client.post(reverse("exercises:exercise-add"), form_data(name="No picture", image_author="X"))
    assert Exercise.objects.get(name="No picture").image_author == ""


def test_the_exercise_page_prints_the_credit_a_cc_by_picture_asks_for(client, clinic_admin):
    exercise = upload(
        clinic_admin,
        image_licence="cc-by-4.0",
        image_author="Ann Author",
        image_title="Knee hug",
        image_source="https://example.org/knee-hug",
    )
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:exercise-detail", args=[exercise.pk])).text
    credit = re.search(r'<figcaption class="picture-credit">(.*?)</figcaption>', page, re.S)
    text = " ".join(re.sub(r"<[^>]+>", "", credit.group(1)).split())
    assert text == "“Knee hug” by Ann Author, CC BY 4.0"
    assert '<a href="https://example.org/knee-hug" rel="noopener noreferrer">Knee hug</a>' in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener"' in page
    assert f'src="{exercise.image.url}"' in page


def test_a_starter_exercise_page_shows_the_drawing_and_the_drawings_credit(client, therapist):
    exercise = ExerciseFactory(clinic=None, slug=DRAWN, name="Knee-to-chest stretch")
    client.force_login(therapist)
    page = client.get(reverse("exercises:exercise-detail", args=[exercise.pk])).text
    assert "Exercise figures © the Rehabit contributors" in page
    drawings = svgs(page)
    assert len(drawings) >= 3  # the moving one and each still
    assert all(svg.find(f"{SVG}title").text for svg in drawings)


# The template tags -------------------------------------------------------------------------


def assert_safe_pictures(html: str, count: int) -> list[ET.Element]:
    drawings = svgs(html)
    assert len(drawings) == count
    for svg in drawings:
        assert svg.get("role") == "img"
        title = svg.find(f"{SVG}title")
        assert title is not None and len(title.text) > 20
        assert not [element for element in svg.iter() if element.tag == f"{SVG}script"]
    return drawings


def test_the_thumbnail_is_the_end_pose_cropped_square(db):
    exercise = ExerciseFactory(clinic=None, slug=DRAWN)
    html = render("{% exercise_thumbnail exercise %}", exercise=exercise)
    [svg] = assert_safe_pictures(html, 1)
    figure = picture_for(exercise).figure
    assert svg.find(f"{SVG}title").text == figure.end.title
    _x, _y, width, height = (float(value) for value in svg.get("viewBox").split())
    assert width == height and width < figure.end.width
    assert "aria-hidden" not in html
    decorative = render("{% exercise_thumbnail exercise decorative=True %}", exercise=exercise)
    assert 'aria-hidden="true"' in decorative


def test_the_large_picture_has_the_moving_drawing_and_the_stills(db):
    exercise = ExerciseFactory(clinic=None, slug=DRAWN)
    html = render("{% exercise_picture exercise credit=True %}", exercise=exercise)
    figure = picture_for(exercise).figure
    drawings = assert_safe_pictures(html, 1 + len(figure.stills))
    assert drawings[0].find(f".//{SVG}animateTransform") is not None
    assert all(svg.find(f".//{SVG}animateTransform") is None for svg in drawings[1:])
    assert re.search(r'data-timing="[\d.]+ [\d.]+ [\d.]+"', html)
    assert "Exercise figures © the Rehabit contributors" in html


def test_the_printed_picture_is_start_and_end_side_by_side(db):
    exercise = ExerciseFactory(clinic=None, slug=DRAWN)
    html = render("{% exercise_picture_print exercise %}", exercise=exercise)
    start, end = assert_safe_pictures(html, 2)
    figure = picture_for(exercise).figure
    assert [start.find(f"{SVG}title").text, end.find(f"{SVG}title").text] == [
        figure.start.title,
        figure.end.title,
    ]
    assert start.get("viewBox") == end.get("viewBox")


def test_an_exercise_without_a_picture_gets_an_empty_slot_or_nothing(db):
    exercise = ExerciseFactory()
    thumbnail = render("{% exercise_thumbnail exercise %}", exercise=exercise)
    assert "exercise-thumb-empty" in thumbnail and "<svg" not in thumbnail
    assert render("{% exercise_picture exercise %}", exercise=exercise).strip() == ""
    assert render("{% exercise_picture_print exercise %}", exercise=exercise).strip() == ""
    assert render("{% if exercise|has_picture %}yes{% endif %}", exercise=exercise) == ""


def test_an_uploaded_picture_is_an_image_with_its_text_alternative(db):
    exercise = ExerciseFactory(name="Knee hug", image="exercises/knee.png")
    html = render("{% exercise_thumbnail exercise %}", exercise=exercise)
    assert 'alt="Picture of the Knee hug"' in html and "/exercises/knee.png" in html
    decorative = render("{% exercise_thumbnail exercise decorative=True %}", exercise=exercise)
    assert 'alt=""' in decorative


# The pages that list exercises -------------------------------------------------------------


@pytest.fixture
def starter_catalog(db):
    starter_catalog_load()
    return {
        exercise.name: exercise
        for exercise in Exercise.objects.shared()
        if picture_for(exercise) is not None
    }


def cards(html: str, opening: str) -> dict[str, str]:
    """Each list item's exercise name and its markup."""
    found = {}
    for card in html.split(opening)[1:]:
        card = card.split("</li>")[0]
        name = re.search(r'class="fw-semibold">([^<]+)</span>|<a href="[^"]+">([^<]+)</a>', card)
        found[(name.group(1) or name.group(2)).replace("&#x27;", "'")] = card
    return found


def test_the_library_shows_a_picture_for_every_starter_exercise(client, therapist, starter_catalog):
    assert len(starter_catalog) == 49
    client.force_login(therapist)
    shown = {}
    for page in (1, 2):
        html = client.get(reverse("exercises:library"), {"page": page}).text
        shown.update(cards(html, '<li class="library-card">'))
    assert set(shown) == set(starter_catalog)
    for name, card in shown.items():
        [svg] = assert_safe_pictures(card, 1)
        assert svg.find(f"{SVG}title").text == picture_for(starter_catalog[name]).figure.end.title


def test_the_builder_search_shows_a_picture_for_each_result(client, therapist, starter_catalog):
    client.force_login(therapist)
    for name, exercise in starter_catalog.items():
        html = client.get(reverse("prescriptions:exercise-search"), {"q": name}).text
        card = cards(html, '<li class="list-group-item search-result">')[name]
        [svg] = assert_safe_pictures(card, 1)
        assert svg.find(f"{SVG}title").text == picture_for(exercise).figure.end.title


def test_pictures_add_no_queries_to_the_library(
    client, therapist, starter_catalog, django_assert_max_num_queries
):
    Exercise.objects.shared().exclude(pk__in=[starter_catalog["Knee-to-chest stretch"].pk]).update(
        is_archived=True
    )
    client.force_login(therapist)
    with django_assert_max_num_queries(6) as one:
        client.get(reverse("exercises:library"))
    Exercise.objects.shared().update(is_archived=False)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("exercises:library")).text
    assert html.count('class="exercise-thumb exercise-thumb-drawing"') == 25


def test_pictures_add_no_queries_to_the_builder_search(
    client, therapist, starter_catalog, django_assert_max_num_queries
):
    client.force_login(therapist)
    url = reverse("prescriptions:exercise-search")
    with django_assert_max_num_queries(10) as one:
        html = client.get(url, {"q": "Chin tuck"}).text
    assert html.count("<svg") == 1
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(url, {"q": "e"}).text
    assert html.count("<svg") == 12


def test_the_plan_and_template_pages_show_a_thumbnail_for_each_exercise(
    client, therapist, starter_catalog
):
    patient = PatientFactory(primary_therapist=therapist)
    plan = prescribe(
        patient, therapist, starter_catalog["Knee-to-chest stretch"], starter_catalog["Chin tuck"]
    )
    client.force_login(therapist)
    html = client.get(reverse("prescriptions:plan-detail", args=[plan.pk])).text
    assert_safe_pictures(html, 2)
    template = template_create_from_plan(plan=plan, name="Back and neck", created_by=therapist)
    html = client.get(reverse("prescriptions:template-detail", args=[template.pk])).text
    assert_safe_pictures(html, 2)
