from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import (
    AreaWebhook,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationRule,
    WebhookEndpoint,
)


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ["event_kind", "recipient", "is_active", "note"]
    list_editable = ["is_active"]
    list_filter = ["event_kind", "recipient", "is_active"]


class AreaWebhookInline(admin.TabularInline):
    model = AreaWebhook
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [AreaWebhookInline]


@admin.register(AreaWebhook)
class AreaWebhookAdmin(admin.ModelAdmin):
    list_display = ["area", "endpoint", "is_active"]
    list_filter = ["is_active", "endpoint__kind"]
    autocomplete_fields = ["area", "endpoint"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "email", "webhook_enabled", "digest_enabled", "language"]
    list_filter = ["email_enabled", "webhook_enabled", "digest_enabled", "language"]
    search_fields = ["user__username", "user__first_name", "email"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username", "ticket__number"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    # What was sent is a record: the office reads it, never rewrites it.
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.action(description=_("核实后重发所选的失败/结果未知记录"))
def resend(modeladmin, request, queryset):
    count = outbox.resend(list(queryset.values_list("pk", flat=True)))
    modeladmin.message_user(
        request, ngettext("已重新排队 %d 条。", "已重新排队 %d 条。", count) % count, messages.SUCCESS
    )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The office's view of what went out: filter by status to find failures and unknowns."""

    list_display = ["subject", "channel", "destination", "status", "attempts", "next_attempt_at", "sent_at",
                    "short_error"]
    list_filter = ["status", "channel", "endpoint"]
    search_fields = ["subject", "address", "notification__recipient__username", "event__ticket__number"]
    date_hierarchy = "created_at"
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = [resend]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("最近错误"))
    def short_error(self, obj):
        return obj.last_error[:80]

