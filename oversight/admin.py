from django.contrib import admin

from .models import AssessmentWeights, Bulletin, LedgerExport


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["__str__", "area", "status", "generated_at", "published_at"]
    list_filter = ["status", "period_kind"]
    # A published bulletin is a record: the admin shows it and never edits it.
    readonly_fields = ["snapshot", "status", "published_at", "published_by", "generated_at"]


admin.site.register(AssessmentWeights)


@admin.register(LedgerExport)
class LedgerExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_by", "status", "total", "done", "created_at"]
