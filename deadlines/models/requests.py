"""Extension requests and suspensions: the history behind a deadline that moved."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已驳回")


class ExtensionRequest(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    reason = models.TextField(_("申请理由"))
    proposed_due_at = models.DateTimeField(_("申请延至"))
    old_due_at = models.DateTimeField(_("原期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    approved_due_at = models.DateTimeField(_("批准延至"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(status="pending"), name="one_pending_extension_per_ticket"
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "status"]), models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.ticket_id} → {self.proposed_due_at:%Y-%m-%d} ({self.status})"


class Suspension(models.Model):
    """The ticket's clock paused while it waits on a third party."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="suspensions"
    )
    reason = models.TextField(_("暂停理由"))
    started_at = models.DateTimeField(_("暂停时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("暂停人"), on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("恢复人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    paused_working_days = models.PositiveIntegerField(_("暂停工作日数"), null=True, blank=True)

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ended_at__isnull=True), name="one_open_suspension_per_ticket"
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.started_at:%Y-%m-%d}"
