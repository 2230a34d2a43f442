from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from seance.core.models import LogEntry, Membership, Organizer, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "language"]}),
        ("Rights", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]


@admin.register(Organizer)
class OrganizerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "timezone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organizer", "action", "user"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in LogEntry._meta.fields]


def _superusers_only(request) -> bool:
    # Staff work in the back office; the Django admin is for the people who run Séance.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only
