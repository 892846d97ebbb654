from django.contrib import admin

from clinics.admin_site import ReadOnlyAdmin

from .models import ConversationRead, Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Messages, for reading only: they are part of the patient's record and are never added,
    changed or deleted here (a mistake is put right by a correction on the pages)."""

    list_display = ["created_at", "patient", "author", "corrects"]
    list_filter = ["clinic"]
    list_select_related = ["patient", "author", "corrects"]
    date_hierarchy = "created_at"
    fields = ["created_at", "clinic", "patient", "author", "corrects", "body"]
    readonly_fields = fields


@admin.register(ConversationRead)
class ConversationReadAdmin(ReadOnlyAdmin):
    list_display = ["patient", "reader", "last_read_message", "read_at"]
    list_select_related = ["patient", "reader"]
    fields = ["patient", "reader", "last_read_message", "read_at"]
    readonly_fields = fields

    def audit_scope(self, obj):
        return obj.patient.clinic_id, obj.patient_id
