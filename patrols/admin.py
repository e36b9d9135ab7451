from django.contrib import admin

from .models import Patrol, PatrolDuty, PatrolFinding, PatrolRules


@admin.register(PatrolDuty)
class PatrolDutyAdmin(admin.ModelAdmin):
    list_display = ["level", "frequency", "patrols_per_period"]


@admin.register(PatrolRules)
class PatrolRulesAdmin(admin.ModelAdmin):
    list_display = ["min_duration_minutes", "min_distance_m", "mode"]

    def has_add_permission(self, request):
        return not PatrolRules.objects.exists()


class FindingInline(admin.TabularInline):
    model = PatrolFinding
    extra = 0
    raw_id_fields = ["ticket"]


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ["chief", "segment", "started_at", "distance_m", "is_valid"]
    list_filter = ["is_valid", "level"]
    raw_id_fields = ["chief", "segment", "recorded_by"]
    readonly_fields = ["client_uuid", "is_valid", "invalid_reason", "created_at"]
    inlines = [FindingInline]
