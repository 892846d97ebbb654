from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("me/messages/", views.own_messages, name="own-messages"),
    path("<int:pk>/messages/", views.patient_messages, name="patient-messages"),
]
