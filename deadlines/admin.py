"""The office's tables: calendar, policies, reminders and ladder; read-only views of clocks and requests.

Saving the calendar recomputes provisional deadlines and saving the reminders or the ladder
recomputes when each clock fires next: both through services, not signals.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .checks import provisional_warning_text
from .clocks import refresh_all_clocks
from .models import (
    CalendarDay,
    CalendarYear,
    DeadlinePolicy,
    EscalationStep,
    ExtensionRequest,
    FiredAlert,
    ReminderStep,
    Suspension,
    TicketClock,
)
from .policies import rule_label
from .services import extension_approve, recompute_provisional_deadlines


class WarnsAboutProvisionalDeadlines:
    def changelist_view(self, request, extra_context=None):
        text = provisional_warning_text()
        if text:
            messages.warning(request, text)
        return super().changelist_view(request, extra_context)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["date", "is_working_day", "note"]
    extra = 3


@admin.register(CalendarYear)
class CalendarYearAdmin(WarnsAboutProvisionalDeadlines, admin.ModelAdmin):
    list_display = ["year", "official_schedule", "note", "updated_at"]
    inlines = [CalendarDayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = recompute_provisional_deadlines()
        if changed:
            messages.info(request, _("已按新的日历重新计算 %(n)s 张工单的期限。") % {"n": changed})


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "source", "severity", "amount", "unit", "count_from", "on_non_working_day", "note"]
    list_filter = ["source", "unit"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what tickets record as their deadline rule.
        return ["code"] if obj else []


class RefreshesClocks:
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_all_clocks()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_all_clocks()


@admin.register(ReminderStep)
class ReminderStepAdmin(RefreshesClocks, admin.ModelAdmin):
    list_display = ["__str__", "days_before"]


@admin.register(EscalationStep)
class EscalationStepAdmin(RefreshesClocks, admin.ModelAdmin):
    list_display = [
        "level", "working_days_after", "notify_chief", "notify_superior", "notify_county_chief",
        "notify_office_head", "notify_general_chief",
    ]


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProvisionalFilter(admin.SimpleListFilter):
    title = _("临时期限")
    parameter_name = "provisional"

    def lookups(self, request, model_admin):
        return [("1", _("是")), ("0", _("否"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(ticket__deadline_provisional=self.value() == "1")
        return queryset


@admin.register(TicketClock)
class TicketClockAdmin(WarnsAboutProvisionalDeadlines, ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "due_at", "rule", "provisional", "running", "paused_since", "next_fire_at", "generation"]
    list_filter = [ProvisionalFilter, "running", ("paused_since", admin.EmptyFieldListFilter)]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number"]

    @admin.display(description=_("期限依据"))
    def rule(self, clock):
        return rule_label(clock.ticket.deadline_rule)

    @admin.display(description=_("临时期限"), boolean=True)
    def provisional(self, clock):
        return clock.ticket.deadline_provisional


@admin.register(FiredAlert)
class FiredAlertAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "kind", "step", "due_at", "fired_at", "generation"]
    list_filter = ["kind", "step"]
    list_select_related = ["ticket"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "requested_by", "requested_at", "proposed_due_at", "status", "decided_by", "approved_due_at"]
    list_filter = ["status"]
    list_select_related = ["ticket", "requested_by", "decided_by"]
    actions = ["approve_as_requested"]

    @admin.action(description=_("按申请日期批准所选延期"))
    def approve_as_requested(self, request, queryset):
        from tickets.errors import TicketError

        for extension in queryset:
            try:
                extension_approve(request=extension, actor=request.user)
            except TicketError as exc:
                messages.error(request, f"{extension.ticket}: {exc.message}")


@admin.register(Suspension)
class SuspensionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "reason", "started_at", "started_by", "ended_at", "paused_working_days"]
    list_select_related = ["ticket", "started_by"]
