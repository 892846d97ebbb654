from django.core.paginator import Paginator
from django.shortcuts import render

from clinics.access import staff_required

from .access import exercise_for_staff
from .forms import CatalogFilterForm
from .selectors import exercise_catalog

PAGE_SIZE = 25


@staff_required
def library(request):
    form = CatalogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    exercises = exercise_catalog(
        clinic=request.user.clinic,
        query=filters.get("q", ""),
        body_region=filters.get("region", ""),
        kind=filters.get("kind", ""),
    )
    page = Paginator(exercises, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "exercises/exercise_library.html"
    if request.htmx:
        template += "#catalog-results"
    return render(request, template, {"form": form, "page": page})


@staff_required
def exercise_detail(request, pk: int):
    exercise = exercise_for_staff(user=request.user, pk=pk)
    return render(request, "exercises/exercise_detail.html", {"exercise": exercise})
