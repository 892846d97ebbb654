from django.contrib import admin

from .models import ConversationRead, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Messages, for reading only: they are part of the patient's record and are never added,
    changed or deleted here (a mistake is put right by a correction on the pages)."""

    list_display = ["created_at", "patient", "author", "corrects"]
    list_filter = ["clinic"]
    list_select_related = ["patient", "author", "corrects"]
    date_hierarchy = "created_at"
    fields = ["created_at", "clinic", "patient", "author", "corrects", "body"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConversationRead)
class ConversationReadAdmin(admin.ModelAdmin):
    list_display = ["patient", "reader", "last_read_message", "read_at"]
    list_select_related = ["patient", "reader"]
    fields = ["patient", "reader", "last_read_message", "read_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
