from django.urls import path

from . import views

app_name = "exercises"

urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.exercise_detail, name="exercise-detail"),
]
