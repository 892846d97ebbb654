from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from clinics.views.sign_in import admin_sign_in
from lib.health import healthz
from patients.views.app import manifest, service_worker

urlpatterns = [
    path(
        "favicon.ico",
        login_not_required(
            RedirectView.as_view(url=f"/{settings.STATIC_URL.strip('/')}/img/favicon.svg")
        ),
    ),
    path("healthz", healthz, name="healthz"),
    # The patient's app: served from the root so the worker may take /patients/me/ as scope.
    path("sw.js", service_worker, name="service-worker"),
    path("manifest.webmanifest", manifest, name="manifest"),
    # The language switch of the signed-out pages (a signed-in person's language is their
    # account's: clinics.languages).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("clinics.urls")),
    path("", include("console.urls")),
    path("", include("notifications.urls")),
    path("push/", include("push.urls")),
    path("exercises/", include("exercises.urls")),
    path("plans/", include("prescriptions.urls")),
    path("patients/", include("patients.urls")),
    path("patients/", include("outcomes.urls")),
    path("patients/", include("insights.urls")),
    path("patients/", include("messaging.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("api/", include("api.urls")),
    # The admin site (for site superusers only: clinics.admin_site) signs in through the app's
    # sign-in page (limits, two-step sign-in).
    path("admin/login/", admin_sign_in, name="admin-sign-in"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
