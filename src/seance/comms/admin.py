from django.contrib import admin

from seance.comms.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: an email is changed only by the outbox, so what is shown is what was sent."""

    list_display = ["created_at", "to", "subject", "state"]
    list_filter = ["state"]
    search_fields = ["to", "key", "subject"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
