"""The clinic's plan templates: its admins list, create, edit, archive and restore them;
therapists see the list and each template (read-only) and start plans from them in the builder."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics.access import clinic_admin_required, staff_required

from . import builder, schedule, services
from .models import PlanTemplate, PlanTemplateItem
from .template_forms import TemplateForm
from .warnings import plan_warnings


def _templates_with_items(*, user):
    """The templates the person may see, each with its exercises, in two queries. Archived ones
    are for the clinic's admins, who may restore them."""
    templates = PlanTemplate.objects.available_to(user.clinic).prefetch_related(
        Prefetch(
            "items",
            queryset=PlanTemplateItem.objects.select_related("exercise").order_by("position", "id"),
        )
    )
    return templates if user.is_clinic_admin else templates.active()


def _template_for_staff(*, user, pk: int) -> PlanTemplate:
    """A shared template or one of the clinic's own; another clinic's answers 404 alike."""
    return get_object_or_404(_templates_with_items(user=user), pk=pk)


def _template_for_admin(*, user, pk: int) -> PlanTemplate:
    template = _template_for_staff(user=user, pk=pk)
    if template.clinic_id is None:
        # Every clinic can see a shared template, so this is not a 404: it is read-only.
        raise PermissionDenied
    return template


@dataclass
class TemplateList:
    own: list[PlanTemplate]
    archived: list[PlanTemplate]
    shared: list[PlanTemplate]


def _template_list(*, user) -> TemplateList:
    templates = list(_templates_with_items(user=user).order_by("name", "id"))
    return TemplateList(
        own=[t for t in templates if t.clinic_id and not t.is_archived],
        archived=[t for t in templates if t.clinic_id and t.is_archived],
        shared=[t for t in templates if t.clinic_id is None and not t.is_archived],
    )


@staff_required
def template_list(request):
    return render(
        request,
        "prescriptions/template_list.html",
        {"templates": _template_list(user=request.user)},
    )


@staff_required
def template_detail(request, pk: int):
    template = _template_for_staff(user=request.user, pk=pk)
    items = list(template.items.all())
    return render(
        request,
        "prescriptions/template_detail.html",
        {
            "plan_template": template,
            "items": items,
            "warnings": plan_warnings(items=items, weekdays=template.weekdays),
            "can_change": request.user.is_clinic_admin and template.clinic_id is not None,
        },
    )


def _render_builder(request, result, plan_template=None):
    return render(
        request,
        "prescriptions/template_form.html",
        {"builder": result, "plan_template": plan_template},
    )


@clinic_admin_required
def template_add(request):
    clinic = request.user.clinic

    def save(cleaned, items):
        return services.template_create(
            clinic=clinic,
            created_by=request.user,
            name=cleaned["name"],
            description=cleaned["description"],
            times_per_day=cleaned["times_per_day"],
            weekdays=cleaned["weekdays"],
            items=items,
        )

    result = builder.build(
        request,
        clinic=clinic,
        plan_initial={"times_per_day": 1, "weekdays": schedule.EVERY_DAY},
        rows_initial=[],
        save=save,
        form_class=TemplateForm,
        empty_message=_("Add at least one exercise to the template."),
    )
    if isinstance(result, builder.Builder):
        return _render_builder(request, result)
    messages.success(request, _("Template “%(name)s” saved.") % {"name": result.name})
    return redirect("prescriptions:template-detail", pk=result.pk)


@clinic_admin_required
def template_edit(request, pk: int):
    template = _template_for_admin(user=request.user, pk=pk)
    items = list(template.items.all())

    def save(cleaned, item_inputs):
        return services.template_update(
            template=template,
            changed_by=request.user,
            name=cleaned["name"],
            description=cleaned["description"],
            times_per_day=cleaned["times_per_day"],
            weekdays=cleaned["weekdays"],
            items=item_inputs,
        )

    result = builder.build(
        request,
        clinic=request.user.clinic,
        plan_initial={
            "name": template.name,
            "description": template.description,
            "times_per_day": template.times_per_day,
            "weekdays": template.weekdays,
        },
        rows_initial=builder.rows_from_items(items, keep_ids=False),
        kept_exercise_ids={item.exercise_id for item in items},
        save=save,
        form_class=TemplateForm,
        empty_message=_("Add at least one exercise to the template."),
    )
    if isinstance(result, builder.Builder):
        return _render_builder(request, result, template)
    messages.success(
        request,
        _("Template “%(name)s” saved. Plans already started from it are unchanged.")
        % {"name": result.name},
    )
    return redirect("prescriptions:template-detail", pk=template.pk)


def _archived_set(request, pk: int, *, archive: bool):
    template = _template_for_admin(user=request.user, pk=pk)
    try:
        if archive:
            services.template_archive(template=template, archived_by=request.user)
        else:
            services.template_restore(template=template, restored_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("prescriptions:template-detail", pk=template.pk)
    if archive:
        messages.success(
            request,
            _(
                "“%(name)s” is archived: it is no longer offered when starting a plan. Plans "
                "already started from it are unchanged."
            )
            % {"name": template.name},
        )
        return redirect("prescriptions:template-list")
    messages.success(
        request, _("“%(name)s” is offered again when starting a plan.") % {"name": template.name}
    )
    return redirect("prescriptions:template-detail", pk=template.pk)


@clinic_admin_required
@require_POST
def template_archive(request, pk: int):
    return _archived_set(request, pk, archive=True)


@clinic_admin_required
@require_POST
def template_restore(request, pk: int):
    return _archived_set(request, pk, archive=False)
