from django.urls import path

from .views import library, transfer

app_name = "exercises"

urlpatterns = [
    path("", library.library, name="library"),
    path("new/", library.exercise_add, name="exercise-add"),
    path("<int:pk>/", library.exercise_detail, name="exercise-detail"),
    path("<int:pk>/edit/", library.exercise_edit, name="exercise-edit"),
    path("<int:pk>/copy/", library.exercise_copy, name="exercise-copy"),
    path("<int:pk>/archive/", library.exercise_archive, name="exercise-archive"),
    path("<int:pk>/restore/", library.exercise_restore, name="exercise-restore"),
    path("<int:pk>/delete/", library.exercise_delete, name="exercise-delete"),
    path("export/<str:fmt>/", transfer.library_export, name="library-export"),
    path("import/", transfer.library_import, name="library-import"),
]
