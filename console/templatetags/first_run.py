"""`{% first_run_checklist as checklist %}`: the signed-in person's first-run checklist, on the
page they land on, so a page shows it with one include and its view needs no change."""

from django import template

from clinics.views.sign_in import HOME_BY_ROLE

from ..onboarding import first_run_checklist as checklist_for

register = template.Library()


@register.simple_tag(takes_context=True)
def first_run_checklist(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in HOME_BY_ROLE:
        return None
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name != HOME_BY_ROLE[user.role]:
        return None
    return checklist_for(user=user)
