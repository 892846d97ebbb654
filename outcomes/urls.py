from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("me/outcomes/", views.my_outcomes, name="my-outcomes"),
    path("me/outcomes/rate/", views.psfs_rate, name="psfs-rate"),
    path("me/outcomes/activities/", views.my_activities_add, name="my-activities-add"),
    path("<int:pk>/outcomes/", views.staff_outcomes, name="staff-outcomes"),
    path("<int:pk>/outcomes/total/", views.total_record, name="total-record"),
    path("<int:pk>/outcomes/activities/", views.activities_add, name="activities-add"),
    path(
        "<int:pk>/outcomes/activities/<int:activity_pk>/retire/",
        views.activity_retire,
        name="activity-retire",
    ),
    path("<int:pk>/outcomes/interval/", views.interval_set, name="interval-set"),
    path(
        "<int:pk>/outcomes/scores/<int:entry_pk>/correct/",
        views.entry_correct,
        name="entry-correct",
    ),
]
