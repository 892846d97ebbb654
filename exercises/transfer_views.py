"""Download the clinic's own exercises as a file, and upload a file to add or update them.
Both are for the clinic's admins only: the library is theirs to manage, and an export carries the
clinic's own material out of the app."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from clinics.access import clinic_admin_required

from . import transfer
from .models import BodyRegion, Kind

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


class LibraryImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File to import"),
        help_text=gettext_lazy("A .csv or .json file, at most 2 MB and 2,000 exercises."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if self.format_of(upload) not in transfer.FORMATS:
            raise ValidationError(_("Choose a file whose name ends in .csv or .json."))
        if upload.size > transfer.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the largest file accepted is %(max)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(transfer.MAX_UPLOAD_BYTES),
                }
            )
        return upload

    @staticmethod
    def format_of(upload) -> str:
        return PurePath(upload.name or "").suffix.lower().lstrip(".")


@clinic_admin_required
def library_import(request):
    problems = []
    if request.method == "POST":
        form = LibraryImportForm(request.POST, request.FILES)
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
                form.add_error(None, error)
            else:
                # Shown straight away rather than after a redirect: importing the same file
                # again changes nothing, so a reload that posts it again is harmless.
                return render(
                    request,
                    "exercises/library_import_result.html",
                    {"result": result, "file_name": upload.name},
                )
    else:
        form = LibraryImportForm()
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
