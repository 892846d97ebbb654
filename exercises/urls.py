from django.urls import path

from . import transfer_views, views

app_name = "exercises"

urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.exercise_add, name="exercise-add"),
    path("<int:pk>/", views.exercise_detail, name="exercise-detail"),
    path("<int:pk>/edit/", views.exercise_edit, name="exercise-edit"),
    path("<int:pk>/copy/", views.exercise_copy, name="exercise-copy"),
    path("<int:pk>/archive/", views.exercise_archive, name="exercise-archive"),
    path("<int:pk>/restore/", views.exercise_restore, name="exercise-restore"),
    path("<int:pk>/delete/", views.exercise_delete, name="exercise-delete"),
    path("export/<str:fmt>/", transfer_views.library_export, name="library-export"),
    path("import/", transfer_views.library_import, name="library-import"),
]
