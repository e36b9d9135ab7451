from django.contrib import admin

from .models import Area, Attachment, ChiefAppointment, River, Segment, Ticket, TicketEvent


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(River)
class RiverAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "river", "area"]
    list_filter = ["river"]
    search_fields = ["name", "code", "river__name"]
    autocomplete_fields = ["river", "area"]


@admin.register(ChiefAppointment)
class ChiefAppointmentAdmin(admin.ModelAdmin):
    list_display = ["chief", "segment", "level", "start_date", "end_date"]
    list_filter = ["level", "end_date"]
    search_fields = ["chief__username", "chief__first_name", "chief__last_name", "segment__name"]
    autocomplete_fields = ["chief", "segment"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Tickets change only through the services, so that every change is in the audit trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    fields = ["seq", "kind", "actor", "from_state", "to_state", "payload", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "state", "source", "category", "segment", "responsible_chief", "due_at"]
    list_filter = ["state", "source", "category", "severity"]
    search_fields = ["number", "description", "source_reference"]
    list_select_related = ["segment__river", "responsible_chief"]
    inlines = [EventInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "ticket", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["ticket"]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "seq", "kind", "actor", "from_state", "to_state", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["ticket", "actor"]
