from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/invite/", views.staff_invite, name="staff-invite"),
    path(
        "staff/<int:pk>/invitation/",
        views.staff_invitation_resend,
        name="staff-invitation-resend",
    ),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff-deactivate"),
    path("staff/<int:pk>/reactivate/", views.staff_reactivate, name="staff-reactivate"),
    path(
        "staff/<int:pk>/two-step/reset/",
        views.staff_two_factor_reset,
        name="staff-two-factor-reset",
    ),
    path("accounts/<int:pk>/unlock/", views.account_unlock, name="account-unlock"),
    path("settings/", views.clinic_settings, name="clinic-settings"),
    path("audit/", views.audit_trail, name="audit-trail"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox-resend"),
    path("first-run/library/", views.first_run_library, name="first-run-library"),
    path("first-run/dismiss/", views.first_run_dismiss, name="first-run-dismiss"),
    # API keys and webhooks, under settings so the navigation marks Settings as the section.
    path("settings/api-keys/", views.api_keys, name="api-keys"),
    path("settings/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("settings/webhooks/", views.webhook_list, name="webhook-list"),
    path("settings/webhooks/add/", views.webhook_add, name="webhook-add"),
    path("settings/webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("settings/webhooks/<int:pk>/edit/", views.webhook_edit, name="webhook-edit"),
    path(
        "settings/webhooks/<int:pk>/secret/",
        views.webhook_secret_rotate,
        name="webhook-secret-rotate",
    ),
    path("settings/webhooks/<int:pk>/remove/", views.webhook_remove, name="webhook-remove"),
    path("settings/webhooks/<int:pk>/test/", views.webhook_test, name="webhook-test"),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/send-again/",
        views.webhook_delivery_retry,
        name="webhook-delivery-retry",
    ),
]
