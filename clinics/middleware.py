from django.utils import timezone


class ClinicTimeZoneMiddleware:
    """Show times in the signed-in person's clinic time zone (what "today" means there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        clinic = getattr(user, "clinic", None) if user and user.is_authenticated else None
        if clinic is not None:
            timezone.activate(clinic.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
