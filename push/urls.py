from django.urls import path

from . import views

app_name = "push"

urlpatterns = [
    path("subscriptions/", views.subscribe, name="subscribe"),
    path("subscriptions/remove/", views.unsubscribe, name="unsubscribe"),
    path("devices/<int:pk>/remove/", views.device_remove, name="device-remove"),
    path("channel/", views.channel_set, name="channel-set"),
]
