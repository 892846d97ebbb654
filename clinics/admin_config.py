from django.contrib.admin.apps import AdminConfig


class RehabitAdminConfig(AdminConfig):
    """Django's admin app with the project's own site (clinics.admin_site), kept apart from it
    because the app list loads this before any model."""

    default_site = "clinics.admin_site.RehabitAdminSite"
