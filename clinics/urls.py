from django.urls import path

from . import views

app_name = "clinics"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/password/done/", views.password_change_done, name="password-change-done"),
]
