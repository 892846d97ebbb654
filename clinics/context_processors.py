from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

NAVIGATION = {
    Role.CLINIC_ADMIN: [
        (_("Exercise library"), "exercises:library"),
        (_("Templates"), "prescriptions:template-list"),
        (_("Caseload"), "insights:caseload"),
        (_("Monitoring"), "monitoring:report"),
        (_("Staff"), "console:staff-list"),
        (_("Settings"), "console:clinic-settings"),
        (_("Audit trail"), "console:audit-trail"),
        (_("Outbox"), "console:outbox"),
    ],
    Role.THERAPIST: [
        (_("Caseload"), "insights:caseload"),
        (_("Monitoring"), "monitoring:report"),
        (_("Exercises"), "exercises:library"),
    ],
    Role.PATIENT: [
        (_("Today"), "patients:today"),
        (_("Progress"), "patients:history"),
        (_("Report pain"), "patients:pain-report"),
        (_("Messages"), "messaging:own-messages"),
    ],
}


def navigation(request):
    """The links the signed-in person's role can use, marking the section they are in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name in NAVIGATION.get(user.role, []):
        url = reverse(url_name)
        items.append(
            {
                "label": label,
                "name": url_name,
                "url": url,
                "active": request.path.startswith(url),
            }
        )
    return {"nav_items": items}
