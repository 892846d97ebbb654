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
]
