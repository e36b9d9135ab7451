"""The audit trail: one append-only, hash-chained table of everything that happened to a ticket."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CREATED = "created", _("上报")
    ASSIGNED = "assigned", _("交办")
    STARTED = "started", _("开始整改")
    SUBMITTED = "submitted", _("提交整改")
    REJECTED = "rejected", _("核查退回")
    VERIFIED = "verified", _("核查通过")
    CLOSED = "closed", _("销号")
    CANCELLED = "cancelled", _("撤销")
    REOPENED = "reopened", _("重新整改")
    REASSIGNED = "reassigned", _("改派")
    DEADLINE_CHANGED = "deadline_changed", _("调整期限")
    ATTACHMENT_ADDED = "attachment_added", _("上传附件")
    COMMENTED = "commented", _("备注")
    REMINDED = "reminded", _("到期提醒")
    ESCALATED = "escalated", _("逾期督办")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("批准延期")
    EXTENSION_REFUSED = "extension_refused", _("驳回延期")
    SUSPENDED = "suspended", _("暂停计时")
    RESUMED = "resumed", _("恢复计时")
    ADMIN_CHANGED = "admin_changed", _("后台修改")


class AppendOnlyError(Exception):
    """An audit event may be written once and never changed or removed."""


class TicketEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("ticket events are append-only")

    def delete(self):
        raise AppendOnlyError("ticket events are append-only")


class TicketEvent(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), on_delete=models.PROTECT, related_name="events"
    )
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    payload = models.JSONField(_("内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("时间"))
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["ticket_id", "seq"]
        # Related lookups and the admin use the base manager: it must refuse updates and deletes too.
        base_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="event_seq_unique_per_ticket")]
        indexes = [models.Index(fields=["kind", "created_at"]), models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.ticket_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("ticket events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ticket events are append-only")

    def canonical_content(self):
        """What the hash covers: every field that tells what happened, in a fixed form."""
        return json.dumps(
            {
                "ticket": self.ticket_id,
                "seq": self.seq,
                "kind": self.kind,
                "actor": self.actor_id,
                "from": self.from_state,
                "to": self.to_state,
                "payload": self.payload,
                # In UTC, as the database returns it, whatever zone the caller's datetime was in.
                "at": self.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
                "prev": self.prev_hash,
            },
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    def compute_hash(self):
        return hashlib.sha256(self.canonical_content().encode()).hexdigest()
