from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auth import token_issue
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["user", "name"] if obj is None else [
            "user", "name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, secret = token_issue(actor=request.user, user=obj.user, name=obj.name)
        obj.pk = token.pk
        # The only time the secret is shown: it is stored as a digest.
        messages.warning(request, _("新令牌(只显示这一次,请立即复制):%(secret)s") % {"secret": secret})

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=request.user)
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": count})
