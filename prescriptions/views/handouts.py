"""The printable plan handout: one template, shown in the browser and rendered to PDF."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clinics import audit
from clinics.access import staff_required
from clinics.models import AuditAction
from exercises.pictures import credits_to_show

from ..access import plan_for_staff
from ..handouts import handout_filename, render_pdf
from ..models import Plan
from ..selectors import plan_for_handout

TEMPLATE = "prescriptions/plan_handout.html"


def _context(plan: Plan, *, for_pdf: bool) -> dict:
    return {
        "plan": plan,
        "for_pdf": for_pdf,
        "credits": credits_to_show(item.exercise for item in plan.items.all()),
    }


def _audit(action: str, *, plan: Plan) -> None:
    audit.record(
        action=action, patient=plan.patient, summary=_("Plan #%(plan)d.") % {"plan": plan.pk}
    )


@never_cache
@staff_required
def plan_handout(request, pk: int):
    plan = plan_for_handout(plan=plan_for_staff(user=request.user, pk=pk))
    _audit(AuditAction.HANDOUT_VIEWED, plan=plan)
    return render(request, TEMPLATE, _context(plan, for_pdf=False))


@never_cache
@staff_required
def plan_handout_pdf(request, pk: int):
    plan = plan_for_handout(plan=plan_for_staff(user=request.user, pk=pk))
    html = render_to_string(TEMPLATE, _context(plan, for_pdf=True), request=request)
    pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
    _audit(AuditAction.HANDOUT_DOWNLOADED, plan=plan)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=handout_filename(plan)
            )
        },
    )
