"""Download the clinic's own exercises as a file, and upload a file to add or update them.
Both are for the clinic's admins only: the library is theirs to manage, and an export carries the
clinic's own material out of the app."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from clinics.access import clinic_admin_required
from lib.web import posted

from .. import transfer
from ..forms import LibraryImportForm
from ..models import BodyRegion, Kind

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@clinic_admin_required
def library_import(request):
    form = LibraryImportForm(posted(request), request.FILES or None)
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = transfer.parse(upload.read(), fmt=form.format_of(upload))
            result = transfer.exercise_library_import(
                clinic=request.user.clinic, imported_by=request.user, rows=rows
            )
        except transfer.ImportRefused as refused:
            problems = refused.problems
        except ValidationError as error:
            form.add_service_error(error)
        else:
            # Shown straight away rather than after a redirect: importing the same file again
            # changes nothing, so a reload that posts it again is harmless.
            return render(
                request,
                "exercises/library_import_result.html",
                {"result": result, "file_name": upload.name},
            )
    return render(
        request,
        "exercises/library_import.html",
        {
            "form": form,
            "problems": problems,
            "body_regions": BodyRegion.choices,
            "kinds": Kind.choices,
            "max_rows": transfer.MAX_ROWS,
            "limits": transfer.NUMBER_LIMITS,
        },
    )


@clinic_admin_required
@require_safe
def library_export(request, fmt: str):
    if fmt not in transfer.FORMATS:
        raise Http404
    clinic = request.user.clinic
    entries = transfer.library_entries(clinic=clinic)
    content = transfer.export_csv(entries) if fmt == "csv" else transfer.export_json(entries)
    file_name = f"{clinic.slug}-exercises-{clinic.today().isoformat()}.{fmt}"
    return HttpResponse(
        content,
        content_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": content_disposition_header(True, file_name)},
    )
