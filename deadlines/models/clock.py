"""Each ticket's deadline clock and the alerts it has fired.

The sweep reads only clocks whose ``next_fire_at`` has come (a partial index), so its cost grows
with the number of due alerts, not with the number of tickets. ``FiredAlert`` is unique per
(ticket, deadline generation, kind, step): whatever races, each reminder and level fires once per
deadline, and a new deadline (a new generation) gets its own ladder.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TicketClock(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE, primary_key=True, related_name="clock"
    )
    due_at = models.DateTimeField(_("整改期限"), null=True, blank=True)
    # +1 each time the deadline moves: the ladder of the old deadline is done with.
    generation = models.PositiveIntegerField(_("期限版本"), default=0)
    deadline_set_at = models.DateTimeField(_("期限设定时间"), null=True, blank=True)
    # The deadline as set by a rule or the office, before suspensions moved it (for recomputing).
    base_due_at = models.DateTimeField(_("原定期限"), null=True, blank=True)
    base_set_at = models.DateTimeField(null=True, blank=True)
    running = models.BooleanField(_("计时中"), default=False, help_text=_("责任河长须整改的状态"))
    paused_since = models.DateTimeField(_("暂停计时自"), null=True, blank=True)
    # Steps whose moment is at or before these are not fired (they fell before the deadline was set
    # or while the chief was not the one to act).
    reminders_from = models.DateTimeField(null=True, blank=True)
    levels_from = models.DateTimeField(null=True, blank=True)
    next_fire_at = models.DateTimeField(_("下次触发"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("期限计时")
        verbose_name_plural = _("期限计时")
        indexes = [
            # The sweep claims due clocks in (next_fire_at, ticket) order, batch after batch from where
            # the last one ended: the ticket id in the index makes each batch a range scan, even when
            # thousands came due at the same moment.
            models.Index(
                fields=["next_fire_at", "ticket"], name="clock_next_fire_idx", condition=Q(next_fire_at__isnull=False)
            ),
            # "Overdue" leaves out paused tickets: the few paused clocks are found without scanning them all.
            models.Index(
                fields=["ticket"], name="clock_paused_idx", condition=Q(paused_since__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} @ {self.due_at}"


class AlertKind(models.TextChoices):
    REMINDER = "reminder", _("到期提醒")
    ESCALATION = "escalation", _("逾期督办")


class FiredAlert(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="fired_alerts"
    )
    generation = models.PositiveIntegerField(_("期限版本"))
    kind = models.CharField(_("类型"), max_length=16, choices=AlertKind.choices)
    # Reminders: working days before the deadline; escalations: the level.
    step = models.PositiveSmallIntegerField(_("步骤"))
    due_at = models.DateTimeField(_("整改期限"))
    fired_at = models.DateTimeField(_("触发时间"))
    event = models.ForeignKey(
        "tickets.TicketEvent", verbose_name=_("审计事件"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("已触发提醒")
        verbose_name_plural = _("已触发提醒")
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "generation", "kind", "step"], name="alert_fires_once_per_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} g{self.generation} {self.kind}:{self.step}"
