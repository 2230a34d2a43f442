from django.contrib import admin

from seance.photos.models import Segment, Session, Sponsor


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["reference", "name", "organizer", "shooting_date", "status"]
    list_filter = ["status", "organizer"]
    search_fields = ["reference", "name"]
    list_select_related = ["organizer"]


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ["name", "organizer", "contact_email", "may_see_sales"]
    search_fields = ["name", "contact_email"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organizer"]
