import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exercises import transfer
from exercises.models import Exercise, ExerciseStep
from prescriptions.catalog import STARTER_CATALOG, starter_catalog_load
from tests.clinics.factories import ClinicAdminFactory
from tests.exercises.factories import ExerciseFactory

IMPORT_URL = reverse("exercises:library-import")

ROW = {
    "slug": "wall-slide",
    "name": "Wall slide",
    "body_region": "shoulder",
    "kind": "mobility",
    "summary": "Slides the arms up a wall.",
    "steps": "Slide your arms up the wall.",
    "cautions": "Stop if it hurts.",
    "contraindications": "",
    "equipment": "A wall",
    "sets": "2",
    "repetitions": "10",
    "hold_seconds": "0",
    "rest_seconds": "30",
    "sided": "no",
    "video_url": "",
    "archived": "no",
}


def row(**overrides) -> dict:
    return {**ROW, **overrides}


def csv_bytes(rows: list[dict], *, columns=transfer.COLUMNS, bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for values in rows:
        writer.writerow({column: values.get(column, "") for column in columns})
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def upload(client, content: bytes, name="library.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


def import_rows(clinic, admin, content: bytes, fmt="csv") -> transfer.ImportResult:
    return transfer.exercise_library_import(
        clinic=clinic, imported_by=admin, rows=transfer.parse(content, fmt=fmt)
    )


def export(client, fmt: str):
    return client.get(reverse("exercises:library-export", args=[fmt]))


def own_exercises(clinic):
    return Exercise.objects.filter(clinic=clinic).order_by("slug")


def test_a_good_csv_imports_every_row(client, clinic_admin):
    wall = row(
        steps="Stand with your back to a wall.\nSlide your arms up slowly.\nLower them again.",
        cautions="Keep your back flat on the wall.\nStop if it hurts.",
    )
    calf = row(slug="calf-raise", name="Calf raise", body_region="ankle_foot", sided="yes")
    content = csv_bytes([wall, calf], bom=True)
    client.force_login(clinic_admin)
    response = upload(client, content)
    assert response.status_code == 200
    assert response.context["result"] == transfer.ImportResult(created=2)
    wall, calf = own_exercises(clinic_admin.clinic).order_by("name").reverse()
    assert (wall.slug, wall.default_sets, wall.default_repetitions, wall.is_sided) == (
        "wall-slide",
        2,
        10,
        False,
    )
    assert [step.text for step in wall.steps.all()] == [
        "Stand with your back to a wall.",
        "Slide your arms up slowly.",
        "Lower them again.",
    ]
    assert wall.cautions == "Keep your back flat on the wall.\nStop if it hurts."
    assert calf.body_region == "ankle_foot" and calf.is_sided
    assert 'id="created-count">2<' in response.text


def test_a_good_json_in_the_starter_catalogs_shape_imports(client, clinic_admin):
    content = json.dumps(
        {
            "version": 1,
            "exercises": [
                {
                    "slug": "bridge",
                    "name": "Bridge",
                    "body_region": "core",
                    "kind": "strengthening",
                    "steps": ["Lie on your back.", "Lift your hips."],
                    "cautions": ["Stop if it hurts."],
                    "contraindications": ["Recent hip surgery"],
                    "sets": 2,
                    "repetitions": 10,
                    "hold_seconds": 3,
                    "rest_seconds": 30,
                    "sided": False,
                }
            ],
        }
    ).encode()
    client.force_login(clinic_admin)
    response = upload(client, content, name="library.JSON")
    assert response.context["result"] == transfer.ImportResult(created=1)
    bridge = Exercise.objects.get(clinic=clinic_admin.clinic, slug="bridge")
    assert bridge.contraindications == "Recent hip surgery"
    assert bridge.video_url == "" and not bridge.is_archived
    assert [step.text for step in bridge.steps.all()] == ["Lie on your back.", "Lift your hips."]


def test_three_bad_rows_are_all_reported_with_their_line_numbers_and_nothing_is_saved(
    client, clinic_admin
):
    mine = ExerciseFactory(clinic=clinic_admin.clinic, slug="wall-slide", name="Old name")
    rows = [
        row(),  # line 2
        row(slug="neck-tilt", body_region="elbow"),  # line 3
        row(
            slug="side-bend", steps="Stand tall.\nBend to the side.\nCome back up."
        ),  # lines 4 to 6
        row(slug="calf-raise", sets="11"),  # line 7
        row(name="Wall slide again"),  # line 8: the slug of line 2 again
    ]
    client.force_login(clinic_admin)
    response = upload(client, csv_bytes(rows))

    problems = [(p.where, p.field) for p in response.context["problems"]]
    assert problems == [
        ("line 3", "body_region"),
        ("line 7", "sets"),
        ("line 8", "slug"),
    ]
    messages = [p.message for p in response.context["problems"]]
    assert messages[0] == (
        "“elbow” is not a body region. Use one of: neck, shoulder, upper_back, lower_back, "
        "core, hip, knee, ankle_foot."
    )
    assert messages[1] == "Sets must be a whole number from 1 to 10."
    assert messages[2] == "“wall-slide” is also on line 2; each slug may appear only once."
    assert "Nothing was imported: the file has 3 problems." in response.text
    assert list(own_exercises(clinic_admin.clinic)) == [mine]
    mine.refresh_from_db()
    assert mine.name == "Old name"


def test_every_problem_of_a_row_is_reported_in_the_models_own_words(clinic, clinic_admin):
    content = csv_bytes(
        [
            row(
                slug="not a slug",
                name="",
                kind="jumping",
                steps="x" * 501,
                video_url="ftp://example.com/video",
                sided="maybe",
                hold_seconds="301",
            )
        ]
    )
    with pytest.raises(transfer.ImportRefused) as refused:
        import_rows(clinic, clinic_admin, content)
    found = {(p.where, p.field): p.message for p in refused.value.problems}
    assert found[("line 2", "kind")].startswith("“jumping” is not a kind of exercise. Use one of:")
    assert found[("line 2", "steps")].startswith("step 1: Ensure this value has at most 500")
    assert found[("line 2", "sided")] == "Write yes or no."
    assert found[("line 2", "hold_seconds")] == (
        "Hold (seconds) must be a whole number from 0 to 300."
    )
    assert found[("line 2", "name")] == "This field cannot be blank."
    assert "slug" in found[("line 2", "slug")]
    assert found[("line 2", "video_url")] == "Enter a valid URL."
    assert not Exercise.objects.exists()


def test_json_problems_name_the_item(clinic, clinic_admin):
    good = {**row(), "steps": ["One step."], "cautions": [], "contraindications": []}
    content = json.dumps(
        {
            "version": 1,
            "exercises": [good, {**good, "slug": "b", "repetitions": 0}, "not an exercise"],
        }
    ).encode()
    with pytest.raises(transfer.ImportRefused) as refused:
        import_rows(clinic, clinic_admin, content, fmt="json")
    assert [(p.where, p.field) for p in refused.value.problems] == [
        ("item 2", "repetitions"),
        ("item 3", ""),
    ]
    assert not Exercise.objects.exists()


def test_importing_the_same_file_again_changes_nothing(client, clinic_admin):
    content = csv_bytes([row(), row(slug="calf-raise", name="Calf raise")])
    client.force_login(clinic_admin)
    upload(client, content)
    before = {e.slug: (e.pk, e.updated_at) for e in own_exercises(clinic_admin.clinic)}
    step_ids = set(ExerciseStep.objects.values_list("pk", flat=True))

    response = upload(client, content)

    assert response.context["result"] == transfer.ImportResult(unchanged=2)
    after = {e.slug: (e.pk, e.updated_at) for e in own_exercises(clinic_admin.clinic)}
    assert after == before
    assert set(ExerciseStep.objects.values_list("pk", flat=True)) == step_ids


def test_an_edited_file_updates_the_exercises_by_slug(client, clinic_admin):
    client.force_login(clinic_admin)
    upload(client, csv_bytes([row(), row(slug="calf-raise", name="Calf raise")]))
    calf_before = Exercise.objects.get(slug="calf-raise")
    wall_before = Exercise.objects.get(slug="wall-slide")

    edited = csv_bytes(
        [
            row(name="Wall slide (arms)", steps="Stand at the wall.\nSlide up.", archived="yes"),
            row(slug="calf-raise", name="Calf raise"),
            row(slug="heel-walk", name="Heel walk"),
        ]
    )
    response = upload(client, edited)

    assert response.context["result"] == transfer.ImportResult(created=1, updated=1, unchanged=1)
    wall = Exercise.objects.get(slug="wall-slide")
    assert wall.pk == wall_before.pk
    assert (wall.name, wall.is_archived) == ("Wall slide (arms)", True)
    assert wall.updated_at > wall_before.updated_at
    assert [step.text for step in wall.steps.all()] == ["Stand at the wall.", "Slide up."]
    assert Exercise.objects.get(slug="calf-raise").updated_at == calf_before.updated_at
    assert own_exercises(clinic_admin.clinic).count() == 3


def test_a_column_left_out_keeps_what_the_exercise_has_and_an_empty_cell_clears_it(
    clinic, clinic_admin
):
    import_rows(
        clinic,
        clinic_admin,
        csv_bytes([row(contraindications="Osteoporosis", archived="yes", equipment="A wall")]),
    )
    columns = [c for c in transfer.COLUMNS if c not in ("contraindications", "archived")]
    result = import_rows(
        clinic, clinic_admin, csv_bytes([row(name="Wall slide 2", equipment="")], columns=columns)
    )
    assert result == transfer.ImportResult(updated=1)
    wall = Exercise.objects.get(clinic=clinic, slug="wall-slide")
    assert (wall.name, wall.contraindications, wall.is_archived) == (
        "Wall slide 2",
        "Osteoporosis",
        True,
    )
    assert wall.equipment == ""
    again = import_rows(
        clinic, clinic_admin, csv_bytes([row(name="Wall slide 2", equipment="")], columns=columns)
    )
    assert again == transfer.ImportResult(unchanged=1)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_imports_back_unchanged_and_copies_the_library_exactly(
    client, clinic_admin, other_clinic, fmt
):
    clinic = clinic_admin.clinic
    ExerciseFactory(
        clinic=clinic,
        slug="b-stretch",
        name="Ünïcode stretch, with a comma",
        cautions='=HYPERLINK("http://example.com")\n\'-quoted',
        contraindications="Osteoporosis\nRecent surgery",
        is_sided=True,
        video_url="https://example.com/video",
        steps=['Say "hello".', "-2 degrees, then +1", "@ the wall"],
    )
    ExerciseFactory(clinic=clinic, slug="a-archived", is_archived=True, summary="")
    ExerciseFactory(clinic=None, slug="shared-one")
    ExerciseFactory(clinic=other_clinic, slug="theirs")
    client.force_login(clinic_admin)
    response = export(client, fmt)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    content = response.content

    entries = transfer.parse(content, fmt=fmt)
    assert [entry.values["slug"] for entry in entries] == ["a-archived", "b-stretch"]
    assert import_rows(clinic, clinic_admin, content, fmt) == transfer.ImportResult(unchanged=2)

    other_admin = ClinicAdminFactory(clinic=other_clinic)
    assert import_rows(other_clinic, other_admin, content, fmt) == transfer.ImportResult(created=2)
    copied = transfer.library_entries(clinic=other_clinic)
    assert [entry for entry in copied if entry["slug"] != "theirs"] == (
        transfer.library_entries(clinic=clinic)
    )


def test_a_csv_export_keeps_formulas_from_running_in_a_spreadsheet(client, clinic_admin):
    ExerciseFactory(clinic=clinic_admin.clinic, slug="x", name="=1+2", steps=["+call"])
    client.force_login(clinic_admin)
    content = export(client, "csv").content.decode("utf-8-sig")
    record = next(csv.DictReader(io.StringIO(content)))
    assert record["name"] == "'=1+2"
    assert record["steps"] == "'+call"
    assert record["sided"] == "no" and record["archived"] == "no"


def test_another_clinics_exercise_with_the_same_slug_is_untouched(
    clinic, clinic_admin, other_clinic
):
    theirs = ExerciseFactory(clinic=other_clinic, slug="wall-slide", name="Their wall slide")
    import_rows(clinic, clinic_admin, csv_bytes([row()]))
    theirs.refresh_from_db()
    assert theirs.name == "Their wall slide"
    assert [step.text for step in theirs.steps.all()] == ["Get into position.", "Hold gently."]
    assert Exercise.objects.get(clinic=clinic, slug="wall-slide").name == "Wall slide"


def test_a_shared_exercises_slug_makes_the_clinics_own_version_and_leaves_the_shared_one(
    clinic, clinic_admin
):
    starter_catalog_load()
    shared = Exercise.objects.shared().get(slug="knee-to-chest-stretch")
    shared_before = transfer.entry_from_exercise(shared)

    result = import_rows(clinic, clinic_admin, STARTER_CATALOG.read_bytes(), fmt="json")

    shared_count = Exercise.objects.shared().count()
    assert result == transfer.ImportResult(created=shared_count)
    own = Exercise.objects.get(clinic=clinic, slug="knee-to-chest-stretch")
    assert own.copied_from == shared
    shared.refresh_from_db()
    assert transfer.entry_from_exercise(shared) == shared_before
    mine = transfer.library_entries(clinic=clinic)
    assert "knee-to-chest-stretch" in {entry["slug"] for entry in mine}


def test_the_export_has_only_the_clinics_own_exercises(client, clinic_admin, other_clinic):
    ExerciseFactory(clinic=clinic_admin.clinic, slug="mine")
    ExerciseFactory(clinic=clinic_admin.clinic, slug="mine-archived", is_archived=True)
    ExerciseFactory(clinic=None, slug="shared")
    ExerciseFactory(clinic=other_clinic, slug="theirs")
    client.force_login(clinic_admin)
    data = json.loads(export(client, "json").content)
    assert data["version"] == 1
    assert [(e["slug"], e["archived"]) for e in data["exercises"]] == [
        ("mine", False),
        ("mine-archived", True),
    ]


def test_only_the_clinics_admins_import_and_export(client, therapist, patient):
    content = csv_bytes([row()])
    for user in (therapist, patient.user):
        client.force_login(user)
        assert client.get(IMPORT_URL).status_code == 403
        assert upload(client, content).status_code == 403
        assert export(client, "csv").status_code == 403
    client.logout()
    for response in (client.get(IMPORT_URL), export(client, "json")):
        assert response.status_code == 302
        assert response.url.startswith(reverse("clinics:login"))
    assert not Exercise.objects.exists()


def test_the_service_refuses_anyone_but_an_admin_of_the_clinic(clinic, therapist, other_clinic):
    for user in (therapist, ClinicAdminFactory(clinic=other_clinic)):
        with pytest.raises(ValidationError, match="Only the clinic's admins"):
            import_rows(clinic, user, csv_bytes([row()]))
    assert not Exercise.objects.exists()


def test_an_unknown_export_format_is_not_found(client, clinic_admin):
    client.force_login(clinic_admin)
    assert export(client, "xlsx").status_code == 404


def test_the_header_must_name_known_columns_and_every_required_one(clinic, clinic_admin):
    columns = ["slug", "name", "body_region", "kind", "steps", "sets", "reps", "hold_seconds"]
    with pytest.raises(transfer.ImportRefused) as refused:
        import_rows(clinic, clinic_admin, csv_bytes([row()], columns=columns))
    messages = [str(p) for p in refused.value.problems]
    assert messages[0].startswith("line 1, reps: Unknown column. The columns are: slug, name,")
    assert messages[1] == "line 1: Missing required columns: repetitions, rest_seconds."


def test_the_file_itself_is_refused_with_a_clear_reason(client, clinic_admin):
    client.force_login(clinic_admin)
    cases = [
        (b"", "library.csv", "The submitted file is empty."),
        (csv_bytes([row()]), "library.xlsx", "Choose a file whose name ends in .csv or .json."),
        (b"x" * (transfer.MAX_UPLOAD_BYTES + 1), "big.csv", "the largest file accepted is 2"),
        ("slug,name\nstretch,Caf\xe9\n".encode("latin-1"), "l.csv", "not UTF-8 text"),
        (csv_bytes([]), "library.csv", "The file has no exercises."),
        (b'{"exercises": [', "library.json", "This is not valid JSON"),
        (b'{"exercises": []}', "library.json", '"version": 1'),
        (csv_bytes([row()]) + b'x,"unclosed\n', "library.csv", "line 3"),
    ]
    for content, name, expected in cases:
        response = upload(client, content, name=name)
        assert response.status_code == 200
        assert expected in response.text, name
    assert not Exercise.objects.exists()


def test_a_file_with_too_many_rows_is_refused(clinic, clinic_admin):
    rows = [row(slug=f"s-{n}") for n in range(transfer.MAX_ROWS + 1)]
    with pytest.raises(transfer.ImportRefused, match="2,001 exercises; at most 2,000"):
        import_rows(clinic, clinic_admin, csv_bytes(rows))


def test_a_row_with_the_wrong_number_of_cells_is_reported(clinic, clinic_admin):
    content = csv_bytes([row()]) + b"extra,cells,wall-slide,a,b\n"
    with pytest.raises(transfer.ImportRefused) as refused:
        import_rows(clinic, clinic_admin, content)
    assert str(refused.value.problems[0]).startswith(
        f"line 3: This row has 5 cells but the header has {len(transfer.COLUMNS)} columns."
    )


def test_the_import_page_lists_the_columns_and_allowed_values(client, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(IMPORT_URL).text
    for value in ("lower_back", "ankle_foot", "strengthening", "balance", "Usually 1 to 5"):
        assert value in page
    assert reverse("exercises:library-export", args=["csv"]) in page


def test_import_queries_do_not_grow_with_the_number_of_rows(
    clinic, clinic_admin, django_assert_max_num_queries
):
    def edit_and_add(existing: int, new: int) -> bytes:
        edited = [row(slug=f"s-{n}", name=f"Renamed {n}", steps="1.\n2.") for n in range(existing)]
        return csv_bytes(edited + [row(slug=f"t-{existing}-{n}") for n in range(new)])

    import_rows(clinic, clinic_admin, csv_bytes([row(slug=f"s-{n}") for n in range(3)]))
    with django_assert_max_num_queries(11) as measured:  # 10, and the audit row
        result = import_rows(clinic, clinic_admin, edit_and_add(3, 3))
    assert result == transfer.ImportResult(created=3, updated=3)

    import_rows(clinic, clinic_admin, csv_bytes([row(slug=f"s-{n}") for n in range(40)]))
    with django_assert_max_num_queries(len(measured.captured_queries)):
        result = import_rows(clinic, clinic_admin, edit_and_add(40, 40))
    assert result == transfer.ImportResult(created=40, updated=40)
    assert ExerciseStep.objects.filter(exercise__clinic=clinic).count() == 43 * 1 + 40 * 2
