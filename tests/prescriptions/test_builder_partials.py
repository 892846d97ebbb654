"""The builder with htmx: each action answers with only the piece it changed (the exercise
list, the preview, the catalog), and without htmx the same posts answer with the whole page."""

import pytest
from django.urls import reverse

from clinics.models import AuditAction, AuditEvent
from exercises.models import BodyRegion, Kind
from prescriptions.models import Plan
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.prescriptions.factories import prescribe
from tests.prescriptions.test_plan_views import create_url, edit_data, plan_data

HTMX = {"HX-Request": "true"}


@pytest.fixture
def owned_patient(therapist):
    return PatientFactory(primary_therapist=therapist, first_name="Pat", last_name="Smith")


def test_adding_with_htmx_answers_the_list_and_the_preview_only(
    client, therapist, owned_patient, knee, press
):
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk)}], action=f"add:{press.pk}")
    html = client.post(create_url(owned_patient), data, headers=HTMX).text
    assert "<html" not in html and "<form" not in html
    assert html.lstrip().startswith('<section id="builder-items"')
    assert html.index('value="remove:0"') < html.index('value="remove:1"')
    assert "Remove Prone press-up" in html
    assert 'name="items-TOTAL_FORMS" value="2"' in html
    # The preview and the catalog's status line come out of band, in the same answer.
    assert 'id="builder-preview"' in html and 'hx-swap-oob="true"' in html
    assert "Added Prone press-up as exercise 2." in html
    # The therapist stays on the catalog's button to add the next exercise.
    assert "autofocus" not in html
    assert Plan.objects.count() == 0


def test_moving_and_removing_with_htmx_keep_the_typed_dose(
    client, therapist, owned_patient, knee, press
):
    client.force_login(therapist)
    rows = [{"exercise": str(knee.pk), "hold_seconds": "45"}, {"exercise": str(press.pk)}]
    html = client.post(create_url(owned_patient), plan_data(rows, action="down:0"), headers=HTMX)
    html = html.text
    assert html.index("Remove Prone press-up") < html.index("Remove Knee-to-chest stretch")
    assert 'name="items-1-hold_seconds" value="45"' in html
    assert "Moved to number 2." in html
    # The moved row's button for the way back keeps the keyboard where it was.
    assert 'value="up:1" autofocus' in html and html.count("autofocus") == 1

    html = client.post(create_url(owned_patient), plan_data(rows, action="remove:0"), headers=HTMX)
    html = html.text
    assert "Remove Knee-to-chest stretch" not in html and "Remove Prone press-up" in html
    assert 'name="items-TOTAL_FORMS" value="1"' in html
    assert "<form" not in html
    assert "Removed Knee-to-chest stretch." in html
    assert 'value="remove:0" autofocus' in html


def test_the_same_actions_without_htmx_answer_the_whole_page(
    client, therapist, owned_patient, knee, press
):
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk)}], title="Typed title", action=f"add:{press.pk}")
    page = client.post(create_url(owned_patient), data).text
    assert "<html" in page and 'id="plan-builder"' in page
    assert 'value="Typed title"' in page and "Remove Prone press-up" in page
    # Without JavaScript the new row takes the focus, as the page is reloaded.
    assert page.count("autofocus") == 1


def test_the_live_preview_answers_the_dose_read_back_schedule_and_warnings(
    client, therapist, owned_patient, knee
):
    client.force_login(therapist)
    rows = [{"exercise": str(knee.pk), "hold_seconds": "15", "repetitions": "2"}]
    data = plan_data(rows, action="preview", weekdays=["0"], times_per_day="2")
    html = client.post(create_url(owned_patient), data, headers=HTMX).text
    assert "<form" not in html and 'id="builder-items"' not in html
    assert html.lstrip().startswith('<section id="builder-preview"')
    assert "Twice a day, on Monday." in html
    assert "Hold × repetitions is 30 s, under the 60 s usually advised" in html
    assert "Scheduled on 1 day a week" in html
    # Each exercise's read-back, out of band, in the server's words.
    assert '<p class="dose mb-2" id="builder-dose-0" hx-swap-oob="true">' in html
    assert "Hold 15 seconds, 2 times, rest 10 seconds between, twice a day, on Monday." in html
    assert Plan.objects.count() == 0


def test_the_preview_says_a_number_out_of_range_while_typing(
    client, therapist, owned_patient, knee
):
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk), "sets": "11"}], action="preview")
    html = client.post(create_url(owned_patient), data, headers=HTMX).text
    assert "Sets must be a whole number from 1 to 10." in html


def test_partials_are_not_recorded_as_a_look_at_the_record_but_the_page_is(
    client, therapist, owned_patient, knee
):
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk)}], action="preview")
    client.post(create_url(owned_patient), data, headers=HTMX)
    assert not AuditEvent.objects.filter(action=AuditAction.PLAN_BUILDER_VIEWED).exists()
    client.get(create_url(owned_patient))
    assert AuditEvent.objects.filter(
        action=AuditAction.PLAN_BUILDER_VIEWED, patient=owned_patient
    ).exists()


def test_saving_with_htmx_headers_still_redirects_to_the_plan(
    client, therapist, owned_patient, knee
):
    client.force_login(therapist)
    response = client.post(
        create_url(owned_patient), plan_data([{"exercise": str(knee.pk)}]), headers=HTMX
    )
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("prescriptions:plan-detail", args=[plan.pk]) + "?saved=1"


def test_editing_with_htmx_keeps_the_version_check(client, therapist, owned_patient, knee, press):
    plan = prescribe(owned_patient, therapist, knee, press)
    client.force_login(therapist)
    url = reverse("prescriptions:plan-edit", args=[plan.pk])
    html = client.post(url, edit_data(plan, action="up:1"), headers=HTMX).text
    assert html.index("Remove Prone press-up") < html.index("Remove Knee-to-chest stretch")
    assert f'name="items-0-item_id" value="{plan.items.get(exercise=press).pk}"' in html
    stale = edit_data(plan, version="0")
    stale["items-0-hold_seconds"] = "45"
    page = client.post(url, stale).text
    plan.refresh_from_db()
    assert plan.version == 1
    assert 'value="45"' in page


def test_another_clinics_exercise_is_not_added_and_the_therapist_is_told(
    client, therapist, owned_patient, knee, other_clinic
):
    theirs = ExerciseFactory(clinic=other_clinic)
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk)}], action=f"add:{theirs.pk}")
    html = client.post(create_url(owned_patient), data, headers=HTMX).text
    assert 'name="items-TOTAL_FORMS" value="1"' in html
    assert "That exercise is no longer in the catalog." in html


def test_the_template_builder_answers_the_same_partials(client, clinic_admin, knee, press):
    client.force_login(clinic_admin)
    data = plan_data([{"exercise": str(knee.pk)}], action=f"add:{press.pk}", name="Back care")
    html = client.post(reverse("prescriptions:template-add"), data, headers=HTMX).text
    assert "<form" not in html and "Remove Prone press-up" in html


def browse(client, patient, **filters):
    data = plan_data([], action="browse", **filters)
    return client.post(create_url(patient), data, headers=HTMX)


def test_browsing_by_region_and_kind_lists_pictures_and_add_buttons(
    client, therapist, owned_patient, knee, other_clinic
):
    hip = ExerciseFactory(
        clinic=therapist.clinic, name="Clinic hip hinge", body_region=BodyRegion.HIP
    )
    bridge = ExerciseFactory(
        clinic=None, name="Bridge", body_region=BodyRegion.HIP, kind=Kind.STRENGTHENING
    )
    ExerciseFactory(clinic=other_clinic, name="Their hip stretch", body_region=BodyRegion.HIP)
    ExerciseFactory(
        clinic=therapist.clinic, name="Old hip", body_region=BodyRegion.HIP, is_archived=True
    )
    client.force_login(therapist)
    html = browse(client, owned_patient, region="hip").text
    assert html.lstrip().startswith('<div id="builder-catalog"')
    assert f'value="add:{hip.pk}"' in html and f'value="add:{bridge.pk}"' in html
    assert "Their hip stretch" not in html and "Old hip" not in html
    assert f'value="add:{knee.pk}"' not in html
    assert html.count('class="exercise-thumb') == 2
    # Each add button posts back to this builder, with htmx.
    assert f'hx-post="{create_url(owned_patient)}"' in html

    html = browse(client, owned_patient, region="hip", kind="strengthening").text
    assert f'value="add:{bridge.pk}"' in html and f'value="add:{hip.pk}"' not in html
    html = browse(client, owned_patient, q="hinge").text
    assert f'value="add:{hip.pk}"' in html and f'value="add:{bridge.pk}"' not in html
    html = browse(client, owned_patient, region="nowhere").text
    assert "Choose a body region or a kind, or type a name" in html


def test_browsing_without_javascript_shows_the_same_catalog_in_the_page(
    client, therapist, owned_patient, knee
):
    client.force_login(therapist)
    page = client.post(
        create_url(owned_patient), plan_data([], action="search", region="lower_back")
    ).text
    assert "<html" in page and f'value="add:{knee.pk}"' in page
    assert '<option value="lower_back" selected>' in page


@pytest.mark.parametrize("size", [3, 20])
def test_browsing_reads_the_same_number_of_queries_at_any_catalog_size(
    client, therapist, owned_patient, django_assert_max_num_queries, size
):
    ExerciseFactory.create_batch(2, clinic=therapist.clinic, body_region=BodyRegion.KNEE)
    client.force_login(therapist)
    with django_assert_max_num_queries(20) as small:
        browse(client, owned_patient, region="knee")
    ExerciseFactory.create_batch(size, clinic=therapist.clinic, body_region=BodyRegion.KNEE)
    ExerciseFactory.create_batch(size, clinic=None, body_region=BodyRegion.KNEE)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = browse(client, owned_patient, region="knee").text
    assert html.count('class="exercise-thumb') == min(2 + 2 * size, 30)


def test_the_catalog_marks_what_is_in_the_plan_and_follows_adds_and_removes(
    client, therapist, owned_patient, knee, press
):
    client.force_login(therapist)
    shown = {"region": "lower_back"}
    html = client.post(
        create_url(owned_patient),
        plan_data([{"exercise": str(knee.pk)}], action="browse", **shown),
        headers=HTMX,
    ).text
    knee_entry = html.split(f'id="catalog-result-{knee.pk}"')[1].split("</li>")[0]
    press_entry = html.split(f'id="catalog-result-{press.pk}"')[1].split("</li>")[0]
    assert "In the plan" in knee_entry and "In the plan" not in press_entry

    added = plan_data([{"exercise": str(knee.pk)}], action=f"add:{press.pk}", **shown)
    html = client.post(create_url(owned_patient), added, headers=HTMX).text
    oob = f'<span class="search-result-text" id="catalog-result-{press.pk}" hx-swap-oob="true">'
    assert oob in html and "In the plan" in html.split(oob)[1].split("</span></span>")[0]

    removed = plan_data(
        [{"exercise": str(knee.pk)}, {"exercise": str(press.pk)}], action="remove:1", **shown
    )
    html = client.post(create_url(owned_patient), removed, headers=HTMX).text
    assert oob in html and "In the plan" not in html.split(oob)[1]

    # An exercise the catalog does not show at the moment is not sent again.
    elsewhere = plan_data([], action=f"add:{press.pk}", region="neck")
    html = client.post(create_url(owned_patient), elsewhere, headers=HTMX).text
    assert "catalog-result-" not in html
