"""The exercise library: the catalog every staff member reads, and the pages on which the clinic's
admins add, edit, copy, archive, restore and delete the clinic's own exercises."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics.access import clinic_admin_required, staff_required
from lib.web import flash_errors

from .. import services
from ..access import can_manage_library, exercise_for_staff, own_exercise_for_admin
from ..forms import (
    MAX_STEP_ROWS,
    STEPS_PREFIX,
    CatalogFilterForm,
    ExerciseForm,
    StepFormSet,
    exercise_initial,
    exercise_initial_from_post,
    step_action,
    step_formset,
    step_rows_for,
    step_texts_from_post,
)
from ..models import Exercise
from ..selectors import exercise_copy_in, exercise_library, exercise_usage

PAGE_SIZE = 25


@staff_required
def library(request):
    form = CatalogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    exercises = exercise_library(
        clinic=request.user.clinic,
        query=filters.get("q", ""),
        body_region=filters.get("region", ""),
        kind=filters.get("kind", ""),
        archived=filters.get("status") == "archived",
    )
    page = Paginator(exercises, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "exercises/exercise_library.html"
    if request.htmx:
        template += "#catalog-results"
    return render(request, template, {"form": form, "page": page})


@staff_required
def exercise_detail(request, pk: int):
    user = request.user
    exercise = exercise_for_staff(user=user, pk=pk)
    can_change = can_manage_library(user=user, clinic_id=exercise.clinic_id)
    context = {"exercise": exercise, "can_change": can_change}
    if can_change:
        context["usage"] = exercise_usage(exercise=exercise)
    elif exercise.is_shared and user.is_clinic_admin:
        context["our_copy"] = exercise_copy_in(exercise=exercise, clinic=user.clinic)
    return render(request, "exercises/exercise_detail.html", context)


@clinic_admin_required
def exercise_add(request):
    def save(form: ExerciseForm, steps: list[str]) -> Exercise:
        exercise = services.exercise_create(
            clinic=request.user.clinic,
            created_by=request.user,
            data=form.exercise_input(steps),
            image=form.cleaned_data["image"],
        )
        messages.success(
            request, _("“%(name)s” is now in your clinic's library.") % {"name": exercise.name}
        )
        return exercise

    return _exercise_editor(request, exercise=None, save=save)


@clinic_admin_required
def exercise_edit(request, pk: int):
    exercise = own_exercise_for_admin(user=request.user, pk=pk)

    def save(form: ExerciseForm, steps: list[str]) -> Exercise:
        saved = services.exercise_update(
            exercise=exercise,
            updated_by=request.user,
            data=form.exercise_input(steps),
            image=form.cleaned_data["image"],
            remove_image=form.cleaned_data["remove_image"],
        )
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": saved.name})
        return saved

    return _exercise_editor(request, exercise=exercise, save=save)


@clinic_admin_required
@require_POST
def exercise_copy(request, pk: int):
    exercise = exercise_for_staff(user=request.user, pk=pk)
    try:
        copy = services.exercise_copy_to_clinic(
            exercise=exercise, clinic=request.user.clinic, copied_by=request.user
        )
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(exercise)
    messages.success(
        request,
        _("A copy of “%(name)s” is now in your clinic's library, ready to edit.")
        % {"name": copy.name},
    )
    return redirect(copy)


@clinic_admin_required
@require_POST
def exercise_archive(request, pk: int):
    return _archived_set(request, pk, archived=True)


@clinic_admin_required
@require_POST
def exercise_restore(request, pk: int):
    return _archived_set(request, pk, archived=False)


def _archived_set(request, pk: int, *, archived: bool):
    exercise = own_exercise_for_admin(user=request.user, pk=pk)
    try:
        if archived:
            exercise = services.exercise_archive(exercise=exercise, archived_by=request.user)
            done = _(
                "“%(name)s” is archived: therapists can no longer add it to plans. Plans that "
                "use it keep it as it is."
            )
        else:
            exercise = services.exercise_restore(exercise=exercise, restored_by=request.user)
            done = _("“%(name)s” is back in the catalog, ready to add to plans.")
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, done % {"name": exercise.name})
    return redirect(exercise)


@clinic_admin_required
def exercise_delete(request, pk: int):
    exercise = own_exercise_for_admin(user=request.user, pk=pk)
    refusal = None
    if request.method == "POST":
        try:
            services.exercise_delete(exercise=exercise, deleted_by=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, _("“%(name)s” is deleted.") % {"name": exercise.name})
            return redirect("exercises:library")
    return render(
        request,
        "exercises/exercise_delete.html",
        {"exercise": exercise, "usage": exercise_usage(exercise=exercise), "refusal": refusal},
    )


def _exercise_editor(
    request, *, exercise: Exercise | None, save: Callable[[ExerciseForm, list[str]], Exercise]
):
    """The add and edit pages: one plain form. The step buttons post the whole form back and
    re-show it with the steps changed and everything typed kept, so it works without
    JavaScript. With JavaScript, htmx posts the same and swaps in only the steps, so a chosen
    picture stays chosen (a browser cannot put a file back into a re-drawn page)."""
    context = {
        "exercise": exercise,
        "max_step_rows": MAX_STEP_ROWS,
        "max_steps": services.MAX_STEPS,
    }
    if request.method != "POST":
        context["form"] = ExerciseForm(initial=exercise_initial(exercise))
        context["steps"] = step_formset(step_rows_for(exercise))
        return render(request, "exercises/exercise_form.html", context)

    action = request.POST.get("action", "save")
    if action != "save":
        texts, focus_index = step_action(action, step_texts_from_post(request.POST))
        context["form"] = ExerciseForm(initial=exercise_initial_from_post(request.POST))
        context["steps"] = step_formset(texts, focus_index=focus_index)
        context["focus_add"] = not texts
        if request.htmx:
            # Only the steps change; the rest of the page, a chosen picture included, stays.
            return render(request, "exercises/exercise_form.html#steps", context)
        context["picture_dropped"] = bool(request.FILES.get("image"))
        return render(request, "exercises/exercise_form.html", context)

    form = ExerciseForm(request.POST, request.FILES)
    steps = StepFormSet(request.POST, prefix=STEPS_PREFIX)
    context.update(form=form, steps=steps)
    if form.is_valid() and steps.is_valid():
        try:
            saved = save(form, steps.texts())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect(saved)
    context["picture_dropped"] = bool(request.FILES.get("image")) and "image" not in form.errors
    return render(request, "exercises/exercise_form.html", context)
