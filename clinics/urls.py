from django.urls import path

from . import views

app_name = "clinics"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/password/done/", views.password_change_done, name="password-change-done"),
    path("welcome/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("sign-in/email-link/", views.sign_in_link, name="sign-in-link"),
    path("sign-in/link/<str:token>/", views.sign_in_link_use, name="sign-in-link-use"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/invite/", views.staff_invite, name="staff-invite"),
    path(
        "staff/<int:pk>/invitation/",
        views.staff_invitation_resend,
        name="staff-invitation-resend",
    ),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff-deactivate"),
    path("staff/<int:pk>/reactivate/", views.staff_reactivate, name="staff-reactivate"),
    path("settings/", views.clinic_settings, name="clinic-settings"),
]
