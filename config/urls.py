from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Rehabit"
admin.site.site_title = "Rehabit admin"

urlpatterns = [
    path("", include("clinics.urls")),
    path("exercises/", include("exercises.urls")),
    path("plans/", include("prescriptions.urls")),
    path("patients/", include("patients.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
